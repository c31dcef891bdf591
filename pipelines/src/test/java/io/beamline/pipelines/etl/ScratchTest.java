package io.beamline.pipelines.etl;

import io.beamline.options.EtlOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.*;
import java.sql.*;
import java.time.LocalDate;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void scratch() throws Exception {
    Path tmp = Path.of("/tmp/scratch-etl");
    if (Files.exists(tmp)) { try (var s = Files.walk(tmp)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); } }
    Path in = tmp.resolve("in");
    Path keyring = TestKeyrings.writeKeyringFile(tmp);
    int count = Integer.getInteger("count", 500);
    GeneratedSample s = SampleEventGenerator.builder().count(count).days(1).endDate(LocalDate.of(2026, 11, 20))
        .badFraction(0.1).duplicateFraction(0.02).files(2).seed(7L).outputPath(in).keyring(TestKeyrings.keyring()).build().generate();
    System.out.println(s + " kinds=" + s.badLinesByKind());
    Path out = tmp.resolve("out");
    EtlOptions o = PipelineOptionsFactory.fromArgs("--inputPath=" + in, "--outputRoot=" + out, "--keyringPath=" + keyring,
        "--schemaDir=../schemas", "--runId=scratch").withValidation().as(EtlOptions.class);
    long t0 = System.nanoTime();
    EtlRunSummary sum = BatchEtlPipeline.run(o);
    System.out.println("RUN ms " + (System.nanoTime() - t0) / 1_000_000);
    System.out.println(sum.toText());
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement st = c.createStatement()) {
      for (String q : new String[] {
          "DESCRIBE SELECT * FROM read_parquet('" + out + "/etl/shop/orders/**/*.parquet', hive_partitioning=true)",
          "SELECT * FROM read_parquet('" + out + "/etl/shop/orders/**/*.parquet', hive_partitioning=true) LIMIT 2",
          "SELECT current_setting('TimeZone')",
          "SELECT strftime(event_time, '%Y-%m-%d %H'), event_time, typeof(event_time) FROM read_parquet('" + out + "/etl/shop/orders/**/*.parquet', hive_partitioning=true) LIMIT 2",
          "SELECT filename FROM read_parquet('" + out + "/etl/shop/orders/**/*.parquet', filename=true) LIMIT 2",
          "SELECT typeof(dt), typeof(hr), typeof(tenant) FROM read_parquet('" + out + "/etl/shop/orders/**/*.parquet', hive_partitioning=true) LIMIT 1",
      }) {
        System.out.println("== " + q);
        try (ResultSet rs = st.executeQuery(q)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) { StringBuilder b = new StringBuilder(); for (int i = 1; i <= n; i++) b.append(rs.getMetaData().getColumnName(i)).append('=').append(rs.getString(i)).append(" | "); System.out.println(b); }
        } catch (SQLException e) { System.out.println("ERR " + e.getMessage()); }
      }
    }
  }
}
