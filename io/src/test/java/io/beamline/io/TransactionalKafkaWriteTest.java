package io.beamline.io;

import static io.beamline.io.kafka.testing.KafkaTopicRecords.headers;
import static io.beamline.io.kafka.testing.KafkaTopicRecords.text;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasEntry;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.io.kafka.testing.KafkaTopicRecords;
import io.beamline.transforms.Json;
import io.beamline.transforms.testing.TestPipelineExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The exactly-once writer against a real broker, read back with read_committed consumers. */
@ExtendWith(TestPipelineExtension.class)
class TransactionalKafkaWriteTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static List<ProducerRecord<byte[], byte[]>> records(String topic, String prefix, int count) {
    return IntStream.range(0, count)
        .mapToObj(
            i ->
                KafkaSinks.record(
                    topic,
                    KafkaSinks.utf8(prefix + i),
                    KafkaSinks.utf8("value-" + prefix + i),
                    List.of(KafkaSinks.header("n", String.valueOf(i)))))
        .collect(Collectors.toList());
  }

  private static void write(
      Pipeline p, TransactionalKafkaWrite sink, List<ProducerRecord<byte[], byte[]>> records) {
    p.apply(Create.of(records).withCoder(KafkaSinks.coder())).apply(sink);
    p.run().waitUntilFinish();
  }

  private static Pipeline freshPipeline() {
    return Pipeline.create(PipelineOptionsFactory.create());
  }

  private static List<ConsumerRecord<byte[], byte[]>> committed(String topic) {
    return KafkaTopicRecords.readAll(kafka.bootstrapServers(), topic, true, TIMEOUT);
  }

  @Test
  void everyRecordOnceWithItsHeadersAcrossShards(TestPipeline p) {
    kafka.createTopic("tx-shards", 3);
    List<ProducerRecord<byte[], byte[]>> records = records("tx-shards", "k", 120);

    write(p, TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-shards", 3, "g-shards"), records);

    List<ConsumerRecord<byte[], byte[]>> read = committed("tx-shards");
    assertThat(
        read.stream().map(r -> text(r.key()) + "=" + text(r.value()) + "#" + headers(r).get("n"))
            .collect(Collectors.toList()),
        containsInAnyOrder(
            IntStream.range(0, 120).mapToObj(i -> "k" + i + "=value-k" + i + "#" + i).toArray()));
  }

  @Test
  void eachShardCommitsTheLastNumberItWroteAsTheGroupsOffsetMetadata(TestPipeline p) throws Exception {
    kafka.createTopic("tx-progress", 1);

    write(
        p,
        TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-progress", 1, "g-progress")
            .withJobWriterId("job-a"),
        records("tx-progress", "k", 7));

    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets("g-progress").partitionsToOffsetAndMetadata().get();
      JsonNode progress =
          Json.MAPPER.readTree(offsets.get(new TopicPartition("tx-progress", 0)).metadata());
      assertThat(progress.get("seq").asLong(), is(6L));
      assertThat(progress.get("writer").asText(), is("job-a"));
    }
  }

  /**
   * A job restored from a checkpoint taken before its shard's first write (runner state empty)
   * replays the numbers it already committed: Kafka's progress under the same writer id skips them.
   */
  @Test
  void aRestartedJobWritesOnlyNumbersBeyondWhatKafkaHolds() {
    kafka.createTopic("tx-restart", 1);
    TransactionalKafkaWrite sink =
        TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-restart", 1, "g-restart")
            .withJobWriterId("job-r");

    write(freshPipeline(), sink, records("tx-restart", "k", 20));
    write(freshPipeline(), sink, records("tx-restart", "k", 25));

    assertThat(committed("tx-restart"), hasSize(25));
  }

  @Test
  void aNewJobOnAGroupUsedBeforeWritesAllOfItsRecords() {
    kafka.createTopic("tx-new-job", 1);

    write(
        freshPipeline(),
        TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-new-job", 1, "g-reused"),
        records("tx-new-job", "first", 10));
    write(
        freshPipeline(),
        TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-new-job", 1, "g-reused"),
        records("tx-new-job", "second", 10));

    Map<String, Long> byJob =
        committed("tx-new-job").stream()
            .collect(Collectors.groupingBy(r -> text(r.key()).replaceAll("[0-9]", ""), Collectors.counting()));
    assertThat(byJob, hasEntry("first", 10L));
    assertThat(byJob, hasEntry("second", 10L));
  }

  /**
   * A job restored (numbers already written) onto the sink group of another job that is running
   * fails naming the option, and leaves the other job's open transaction alone: it does not fence.
   */
  @Test
  void aRestoredJobOnAnotherJobsGroupFailsWithoutFencingThatJob() throws Exception {
    kafka.createTopic("tx-fence", 1);
    write(
        freshPipeline(),
        TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-fence", 1, "g-fence").withJobWriterId("job-a"),
        records("tx-fence", "a", 5));
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> jobA =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            Map.of(
                org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "beamline-g-fence-tx-fence-0"),
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      jobA.initTransactions();
      jobA.beginTransaction();
      jobA.send(records("tx-fence", "open", 1).get(0));

      IllegalStateException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              IllegalStateException.class,
              () -> new TransactionalKafkaWrite.WriteInTransactionsFn(kafka.bootstrapServers(), "tx-fence", "g-fence")
                  .open(0, 3, "job-b"));

      assertThat(refused.getMessage(), org.hamcrest.Matchers.containsString("--kafkaSinkGroupId"));
      jobA.commitTransaction();
    }
    assertThat(committed("tx-fence"), hasSize(6));
  }

  /**
   * Both GroupByKeys batch records into panes. Left alone, the second would inherit the first's
   * continuation trigger, which on Flink fires per element: a transaction per record.
   */
  @Test
  void bothGroupingStepsGatherPanesOfRecordsRatherThanFiringPerRecord() {
    kafka.createTopic("tx-panes", 2);
    Pipeline p = freshPipeline();
    p.apply(Create.of(records("tx-panes", "k", 3)).withCoder(KafkaSinks.coder()))
        .apply("Sink", TransactionalKafkaWrite.to(kafka.bootstrapServers(), "tx-panes", 2, "g-panes"));

    Map<String, Trigger> triggerIntoGrouping = new java.util.TreeMap<>();
    p.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            if (node.getTransform() instanceof GroupByKey) {
              PCollection<?> input = (PCollection<?>) node.getInputs().values().iterator().next();
              triggerIntoGrouping.put(node.getFullName(), input.getWindowingStrategy().getTrigger());
            }
          }
        });

    assertThat(
        triggerIntoGrouping,
        equalTo(
            Map.of(
                "Sink/PersistShards", TransactionalKafkaWrite.PANES,
                "Sink/PersistNumbers", TransactionalKafkaWrite.PANES)));
  }
}
