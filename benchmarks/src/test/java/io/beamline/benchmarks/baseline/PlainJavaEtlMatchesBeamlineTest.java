package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The baseline writes the rows Beamline's batch etl writes (Direct runner, no raw zone) for the
 * same 200 events: per table the same multiset of rows, every column but {@code _ingested_at}, in
 * the same partitions, with the same column types; also without spilling, through two open
 * Parquet writers (more, smaller files).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainJavaEtlMatchesBeamlineTest {
  private Path beamlineOut;
  private Path baselineOut;
  private Path directOut;
  private Connection db;

  @BeforeAll
  void runBoth(@TempDir Path tmp) throws Exception {
    Path input = tmp.resolve("in");
    EtlTestSupport.generate(input, 200, 11L);
    Path keyring = TestKeyrings.writeKeyringFile(tmp);
    Path schemas = BaselineTestSupport.schemasWithoutQualitySuites(tmp.resolve("schemas"));
    beamlineOut = tmp.resolve("beamline");
    long t0 = System.nanoTime();
    BatchEtlPipeline.run(
        EtlTestSupport.options(BaselineTestSupport.args(input, beamlineOut, keyring, schemas, "--writeRaw=false", "--enforceImmutability=false", "--enforceEncodability=false")));
    System.err.printf("beamline etl on Direct: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    baselineOut = tmp.resolve("baseline");
    PlainJavaEtl.run(BaselineTestSupport.args(input, baselineOut, keyring, schemas));
    directOut = tmp.resolve("direct");
    PlainJavaEtl.run(BaselineTestSupport.args(
        input, directOut, keyring, schemas, "--partitionSpill=false", "--maxOpenWriters=2"));
    db = EtlTestSupport.duckdb();
  }

  @AfterAll
  void closeDb() throws Exception {
    db.close();
  }

  @Test
  void everyTableHasBeamlinesRowsInBeamlinesPartitions() {
    for (String table : EtlTestSupport.TABLES) {
      List<String> expected = BaselineTestSupport.etlRows(db, beamlineOut, table);
      assertThat(table, expected.size(), greaterThan(0));
      assertThat(table, BaselineTestSupport.etlRows(db, baselineOut, table), equalTo(expected));
    }
  }

  @Test
  void everyTableHasBeamlinesColumnTypes() {
    for (String table : EtlTestSupport.TABLES) {
      assertThat(
          table,
          EtlTestSupport.columnTypes(db, baselineOut, table),
          equalTo(EtlTestSupport.columnTypes(db, beamlineOut, table)));
    }
  }

  @Test
  void twoOpenParquetWritersWithoutSpillWriteBeamlinesRows() {
    for (String table : EtlTestSupport.TABLES) {
      assertThat(
          table,
          BaselineTestSupport.etlRows(db, directOut, table),
          equalTo(BaselineTestSupport.etlRows(db, beamlineOut, table)));
    }
  }

  @Test
  void twoOpenParquetWritersWithoutSpillWriteMoreFiles() {
    assertThat(
        BaselineTestSupport.filesUnder(directOut.resolve("etl"), ".parquet"),
        greaterThan(BaselineTestSupport.filesUnder(baselineOut.resolve("etl"), ".parquet")));
  }

  @Test
  void spillingWritesOneFilePerPartitionAsBeamlineDoes() {
    assertThat(
        BaselineTestSupport.filesUnder(baselineOut.resolve("etl"), ".parquet"),
        equalTo(BaselineTestSupport.filesUnder(beamlineOut.resolve("etl"), ".parquet")));
  }
}
