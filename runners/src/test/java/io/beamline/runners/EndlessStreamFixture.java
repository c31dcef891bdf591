package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * What the tests of endless streams on Flink share: a sample per test, the stream's options (its
 * own topics {@code <name>-events} and {@code <name>-rows}, run id {@code <name>}, output under
 * {@code <name>/out}),
 * waiting for committed rows, and the exactly-once check of the etl topic.
 */
final class EndlessStreamFixture {
  static final Duration TIMEOUT = Duration.ofMinutes(4);

  private final KafkaBrokerExtension kafka;
  private final Path work;

  EndlessStreamFixture(KafkaBrokerExtension kafka, Path work) {
    this.kafka = kafka;
    this.work = work;
  }

  /** 100 events per file over one day, 10 % bad, no duplicates, under {@code <name>/input}. */
  GeneratedSample sample(String name, int files) throws Exception {
    return SampleEventGenerator.builder()
        .count(100 * files)
        .days(1)
        .endDate(LocalDate.parse("2026-11-20"))
        .badFraction(0.1)
        // No duplicates: an endless stream drops them within --dedupMinutes of event time only,
        // which random sample times do not respect.
        .duplicateFraction(0)
        .files(files)
        .outputPath(work.resolve(name + "/input"))
        .keyring(SampleEventGenerator.writeKeyringIfMissing(work.resolve("keyring.json")))
        .build()
        .generate();
  }

  /** An endless exactly-once stream on Flink, checkpointing every 2 s; creates its topics. */
  StreamOptions options(String name, List<String> runnerArgs, String... extra) {
    kafka.createTopic(name + "-events", 2);
    kafka.createTopic(name + "-rows", 2);
    List<String> args = new ArrayList<>(runnerArgs);
    args.addAll(
        List.of(
            "--parallelism=2",
            "--streaming=true",
            "--attachedMode=false",
            "--checkpointingInterval=2000",
            // Fixed, so a job resumed from a savepoint keeps its exactly-once sink group.
            "--runId=" + name,
            "--bootstrapServers=" + kafka.bootstrapServers(),
            "--topics=" + name + "-events",
            "--consumerGroup=" + name,
            // Sample times are days behind the clock, which an idle partition's watermark jumps to.
            "--allowedLatenessMinutes=" + (3650L * 24 * 60),
            "--etlTopic=" + name + "-rows",
            "--kafkaSinkShards=2",
            "--outputRoot=" + work.resolve(name + "/out"),
            "--keyringPath=" + work.resolve("keyring.json"),
            "--schemaDir=" + schemasWithoutQualitySuites(work)));
    args.addAll(List.of(extra));
    return PipelineOptionsFactory.fromArgs(args.toArray(new String[0])).withValidation().as(StreamOptions.class);
  }

  /**
   * The shop schemas without their quality suites, below {@code work}: the endless-stream tests
   * are about delivery across faults. (With the suites, the first rows of an endless Flink stream
   * were not committed within the timeout, in several runs: the quality gate holds a window's rows
   * until its verdict; an open problem, see README.)
   */
  static Path schemasWithoutQualitySuites(Path work) {
    Path shop = work.resolve("schemas-without-quality/shop");
    try {
      java.nio.file.Files.createDirectories(shop);
      try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("../schemas/shop"))) {
        for (Path f : (Iterable<Path>) files::iterator) {
          Path target = shop.resolve(f.getFileName().toString());
          if (!f.getFileName().toString().endsWith(".quality.json") && !java.nio.file.Files.exists(target)) {
            java.nio.file.Files.copy(f, target);
          }
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return shop.getParent();
  }

  void send(String name, Path file) throws Exception {
    ProduceEnvelopeFiles.send(kafka.bootstrapServers(), name + "-events", List.of(file));
  }

  /** Sends every line of {@code file} into one partition of {@code <name>-events}. */
  void sendToPartition(String name, Path file, int partition) throws Exception {
    ProduceEnvelopeFiles.send(kafka.bootstrapServers(), name + "-events", partition, List.of(file));
  }

  static long expectedRows(GeneratedSample sample) {
    return sample.expectedEtlRows().values().stream().mapToLong(Long::longValue).sum();
  }

  /** Rows a read_committed consumer sees on {@code <name>-rows} now (0 while the broker is down). */
  long committedRows(String name) {
    try {
      return kafka.consumeAll(name + "-rows", true, Duration.ofSeconds(10)).size();
    } catch (RuntimeException brokerNotBackYet) {
      return 0;
    }
  }

  /** Waits until at least {@code rows} rows are committed; returns how many were seen. */
  long waitForCommittedRows(String name, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = committedRows(name);
      if (seen >= rows) {
        return seen;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("only " + seen + " of " + rows + " rows committed within " + TIMEOUT);
  }

  /** Per table exactly the generator's expected rows on {@code <name>-rows}, and no row twice. */
  void assertTopicHoldsEveryRowOnce(String name, GeneratedSample sample) throws Exception {
    List<byte[]> values = kafka.consumeAll(name + "-rows", true, Duration.ofSeconds(30));
    Map<String, Long> byTable = new TreeMap<>();
    Set<String> distinct = new HashSet<>();
    for (byte[] value : values) {
      JsonNode row = Json.MAPPER.readTree(value);
      byTable.merge(row.get("table").asText(), 1L, Long::sum);
      distinct.add(row.get("event_id").asText() + "/" + row.get("table").asText() + "/" + row.path("line_no").asText());
    }
    assertThat("etl topic, read_committed", byTable, equalTo(new TreeMap<>(sample.expectedEtlRows())));
    assertThat("etl topic, no row twice", distinct.size(), is(values.size()));
  }

  /**
   * Cancels a job and waits (up to a minute) until it has stopped: cancelling returns before the
   * tasks stop, and a task still writing into a test's temporary directory makes JUnit fail to
   * delete it.
   */
  static void cancelAndWait(org.apache.beam.sdk.PipelineResult job) throws java.io.IOException, InterruptedException {
    job.cancel();
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    while (System.nanoTime() < deadline) {
      try {
        if (job.getState().isTerminal()) {
          break;
        }
      } catch (IllegalStateException clusterGone) {
        // The embedded cluster shuts down with its last job: then its tasks have stopped.
        break;
      }
      Thread.sleep(200);
    }
  }
}
