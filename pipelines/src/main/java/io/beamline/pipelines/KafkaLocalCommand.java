package io.beamline.pipelines;

import io.beamline.io.kafka.LocalKafkaBroker;
import io.beamline.options.KafkaLocalOptions;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code kafka-local}: runs a real single-node Kafka broker (KRaft) on 127.0.0.1 until Ctrl-C, so
 * that the streaming pipelines can be tried without installing Kafka.
 */
final class KafkaLocalCommand implements BeamlineCli.Command {
  /** Printed once the broker accepts clients; scripts and tests wait for it. */
  static final String READY = "Kafka broker running, bootstrap servers: ";

  @Override
  public Class<? extends PipelineOptions> options() {
    return KafkaLocalOptions.class;
  }

  @Override
  public String summary() {
    return "A local Kafka broker on 127.0.0.1 (KRaft, one node) with the topics, until Ctrl-C.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws Exception {
    KafkaLocalOptions o = options.as(KafkaLocalOptions.class);
    List<String> topics = topics(o.getTopics());
    if (o.getPartitions() < 1) {
      throw new IllegalArgumentException(
          "--partitions must be at least 1, not " + o.getPartitions());
    }
    if (o.getPort() < 0 || o.getPort() > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, not " + o.getPort());
    }
    Path dataDir = Path.of(o.getDataDir()).toAbsolutePath();
    LocalKafkaBroker broker;
    try {
      broker =
          LocalKafkaBroker.builder()
              .dataDir(dataDir)
              .port(o.getPort())
              .partitions(o.getPartitions())
              .start();
    } catch (IllegalStateException e) {
      if (e.getCause() instanceof BindException) {
        throw new IllegalArgumentException(
            "--port: " + e.getMessage() + " (another Kafka?). Stop it, or choose another port;"
                + " --port=0 picks a free one.",
            e);
      }
      throw e;
    }
    return ServeUntilStopped.serve(
        "kafka-local",
        broker::close,
        () -> {
          for (String topic : topics) {
            boolean created = broker.createTopic(topic, o.getPartitions());
            out.println((created ? "Created topic " : "Topic exists: ") + topic);
          }
          out.println("Data in " + dataDir);
          out.println(READY + broker.bootstrapServers());
          out.println("Ctrl-C to stop");
          out.flush();
        });
  }

  static List<String> topics(String option) {
    List<String> topics = new ArrayList<>();
    for (String t : option == null ? new String[0] : option.split(",")) {
      String name = t.trim();
      if (name.isEmpty()) {
        continue;
      }
      // Kafka's own rule; checked here so that a bad name stops before the broker starts.
      if (!name.matches("[a-zA-Z0-9._-]{1,249}") || name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException(
            "--topics: '" + name + "' is not a valid topic name (letters, digits, '.', '_', '-')");
      }
      topics.add(name);
    }
    return topics;
  }
}
