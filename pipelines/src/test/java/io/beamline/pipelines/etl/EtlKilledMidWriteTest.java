package io.beamline.pipelines.etl;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.pipelines.BeamlineCli;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code etl} as its own process, killed with SIGKILL while it writes the zones: a reader of the
 * output root never sees a partial Parquet file, and a rerun leaves exactly one run's rows.
 */
class EtlKilledMidWriteTest {
  @TempDir Path work;

  @Test
  void killedEtlLeavesNoPartialFileAndARerunLeavesExactlyOneRunsRows() throws Exception {
    Path keyring = work.resolve("keyring.json");
    Files.writeString(keyring, TestKeyrings.keyring().toFileJson());
    GeneratedSample sample = EtlTestSupport.generate(work.resolve("input"), 1500, 7L);
    Path out = work.resolve("out");

    Process etl = startEtl(out, keyring, "--runId=killed");
    boolean killedWhileWriting = killOnceWritingStarts(etl, out, Duration.ofMinutes(5));

    assertThat("the etl process was killed while it wrote files", killedWhileWriting, is(true));
    List<Path> visible = visibleParquet(out);
    try (Connection duckdb = EtlTestSupport.duckdb()) {
      for (Path file : visible) {
        // Throws on a truncated file: no footer, or a footer pointing past the end.
        EtlTestSupport.queryLong(duckdb, "SELECT count(*) FROM read_parquet('" + file + "')");
      }
    }

    EtlRunSummary rerun =
        EtlTestSupport.run(work.resolve("input"), out, keyring, "--runId=rerun");

    assertThat(rerun.conserved(), is(true));
    assertThat(rowsByTable(out), equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat(
        "files of the killed run left in the zones",
        EtlTestSupport.filesUnder(out).stream()
            .filter(f -> !hidden(out, f) && f.getFileName().toString().contains("killed"))
            .map(Path::toString)
            .collect(Collectors.toList()),
        is(empty()));
  }

  private Process startEtl(Path out, Path keyring, String... extra) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1g");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BeamlineCli.class.getName());
    command.add("etl");
    command.addAll(List.of(EtlTestSupport.etlArgs(work.resolve("input"), out, keyring, extra)));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(work.resolve("killed-etl.log").toFile())
        .start();
  }

  /**
   * Kills the process with SIGKILL as soon as any file appears below the output root: the writers'
   * temporary files, which come first.
   */
  private static boolean killOnceWritingStarts(Process process, Path root, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && process.isAlive()) {
      if (!EtlTestSupport.filesUnder(root).isEmpty()) {
        process.destroyForcibly().waitFor();
        return true;
      }
      Thread.sleep(20);
    }
    process.destroyForcibly().waitFor();
    return false;
  }

  /** Parquet files a reader of the etl zone sees: none in a hidden (temporary) folder. */
  private static List<Path> visibleParquet(Path out) throws Exception {
    return EtlTestSupport.filesUnder(out.resolve("etl")).stream()
        .filter(f -> f.toString().endsWith(".parquet") && !hidden(out, f))
        .collect(Collectors.toList());
  }

  private static boolean hidden(Path root, Path file) {
    return StreamSupport.stream(root.relativize(file).spliterator(), false)
        .anyMatch(part -> part.toString().startsWith("."));
  }

  private static Map<String, Long> rowsByTable(Path out) throws Exception {
    Map<String, Long> rows = new TreeMap<>();
    try (Connection duckdb = EtlTestSupport.duckdb()) {
      for (String table : EtlTestSupport.TABLES) {
        rows.put(table, EtlTestSupport.queryLong(duckdb, "SELECT count(*) FROM " + EtlTestSupport.etlTable(out, table)));
      }
    }
    return rows;
  }
}
