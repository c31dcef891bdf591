package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.pipelines.etl.EtlTestSupport;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The baseline on a generated sample of 2,000 events, bad records and duplicates included. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlainJavaEtlTest {
  private Path tmp;
  private GeneratedSample sample;
  private PlainJavaEtl.Result result;
  private Path input;
  private Path keyring;
  private Path schemas;
  private Path output;
  private Path fewWritersOutput;
  private Connection db;

  @BeforeAll
  void runOnce(@TempDir Path dir) throws Exception {
    tmp = dir;
    input = tmp.resolve("in");
    sample = EtlTestSupport.generate(input, 2_000, 7L);
    keyring = TestKeyrings.writeKeyringFile(tmp);
    schemas = BaselineTestSupport.schemasWithoutQualitySuites(tmp.resolve("schemas"));
    output = tmp.resolve("out");
    result = PlainJavaEtl.run(BaselineTestSupport.args(input, output, keyring, schemas));
    fewWritersOutput = tmp.resolve("few-writers");
    PlainJavaEtl.run(BaselineTestSupport.args(input, fewWritersOutput, keyring, schemas, "--maxOpenWriters=2"));
    db = EtlTestSupport.duckdb();
  }

  @AfterAll
  void closeDb() throws Exception {
    db.close();
  }

  @Test
  void recordsInAreEveryLineOfTheInput() {
    assertThat(result.recordsIn(), equalTo(sample.totalLines()));
  }

  @Test
  void etlRowsPerTableAreTheGeneratorsExpectedRows() {
    Map<String, Long> nonZero = new TreeMap<>(result.etlRows());
    nonZero.values().removeIf(n -> n == 0);
    assertThat(nonZero, equalTo(sample.expectedEtlRows()));
  }

  @Test
  void deadLettersPerReasonAreTheGeneratorsExpectedOnes() {
    assertThat(result.deadLetters(), equalTo(sample.expectedDeadLetters()));
  }

  @Test
  void duplicatesAreTheGeneratedCopies() {
    assertThat(result.duplicates(), equalTo(sample.duplicates()));
  }

  @Test
  void parquetFilesHoldTheCountedRowsOfEachTable() {
    for (Map.Entry<String, Long> t : result.etlRows().entrySet()) {
      assertThat(t.getKey(), (long) BaselineTestSupport.etlRows(db, output, t.getKey()).size(), equalTo(t.getValue()));
    }
  }

  @Test
  void deadLetterFilesHoldOneLinePerRejectedRecord() throws Exception {
    long lines = 0;
    try (var files = Files.list(output.resolve("dlq"))) {
      for (Path f : (Iterable<Path>) files::iterator) {
        lines += Files.readAllLines(f).size();
      }
    }
    assertThat(lines, equalTo(sample.badLines()));
  }

  @Test
  void resultLineIsJsonOfTheCounts() {
    assertThat(
        new PlainJavaEtl.Result(5, new TreeMap<>(Map.of("orders", 3L, "customers", 0L)),
            new TreeMap<>(Map.of("UNKNOWN_KEY", 1L)), 1, 0, 1).resultLine(),
        equalTo("RESULT {\"records_in\":5,\"etl_rows\":{\"customers\":0,\"orders\":3},"
            + "\"dead_letters\":{\"UNKNOWN_KEY\":1},\"duplicates\":1}"));
  }

  @Test
  void anOutputRootWithAnEtlZoneIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> EtlArguments.parse(BaselineTestSupport.args(input, output, keyring, schemas)));
    assertThat(e.getMessage(), startsWith("--outputRoot"));
  }

  @Test
  void aThreadCountOutOfRangeIsRefusedNamingTheOption() {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> EtlArguments.parse(
            BaselineTestSupport.args(input, tmp.resolve("other"), keyring, schemas, "--threads=0")));
    assertThat(e.getMessage(), containsString("--threads"));
  }

  @Test
  void etlRowsWereWrittenToMoreThanOnePartition() {
    assertThat(BaselineTestSupport.filesUnder(output.resolve("etl"), ".parquet"), greaterThan(4L));
  }

  @Test
  void twoOpenSpillFilesWriteTheSameRows() {
    for (String table : result.etlRows().keySet()) {
      assertThat(
          table,
          BaselineTestSupport.etlRows(db, fewWritersOutput, table),
          equalTo(BaselineTestSupport.etlRows(db, output, table)));
    }
  }

  @Test
  void twoOpenSpillFilesStillWriteOneParquetFilePerPartition() {
    assertThat(
        BaselineTestSupport.filesUnder(fewWritersOutput.resolve("etl"), ".parquet"),
        equalTo(BaselineTestSupport.filesUnder(output.resolve("etl"), ".parquet")));
  }

  @Test
  void noSpillFileIsLeftBehind() {
    assertThat(Files.exists(output.resolve(".spill")), equalTo(false));
  }
}
