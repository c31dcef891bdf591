package io.beamline.io;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.AfterFirst;
import org.apache.beam.sdk.transforms.windowing.AfterPane;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Trigger;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PDone;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes Kafka records exactly once, headers included, in Kafka transactions.
 *
 * <p>Records are spread over a fixed number of shards by key, numbered within their shard by a
 * stateful step, and written by shard in number order; each transaction also commits "written up
 * to number n" as the sink group's offset metadata for partition {@code shard} of the topic, so a
 * retried or restored shard skips what Kafka already holds. The writing step requires stable input
 * (on Flink: it sees only what a completed checkpoint holds), so the numbering a retry sees is the
 * numbering that was written.
 *
 * <p>Unlike Beam 2.62's exactly-once sink this one survives a restart inside the same JVM, as
 * Flink's task failover does: producers belong to the writing {@code DoFn} instance (no static
 * cache that can hand a restored task a producer stuck in an old transaction), a fresh producer
 * fences any older one with its transactional id, and a shard restored from a checkpoint taken
 * before its first write recognises its own earlier writes by the writer id the numbering step
 * keeps in its state (drawn when the transform is made; restored with the numbering from any
 * checkpoint or savepoint, new in every job started afresh).
 */
public final class TransactionalKafkaWrite
    extends PTransform<PCollection<ProducerRecord<byte[], byte[]>>, PDone> {
  /** Records a pane (and so a transaction per shard) holds at most. */
  static final int MAX_RECORDS_PER_PANE = 1_000;

  /** How long a pane gathers records after its first: the latency batching adds. */
  static final org.joda.time.Duration PANE_DELAY = org.joda.time.Duration.millis(100);

  /** Fires a pane at {@link #MAX_RECORDS_PER_PANE} records or {@link #PANE_DELAY} after its first. */
  static final Trigger PANES =
      Repeatedly.forever(
          AfterFirst.of(
              AfterPane.elementCountAtLeast(MAX_RECORDS_PER_PANE),
              AfterProcessingTime.pastFirstElementInPane().plusDelayOf(PANE_DELAY)));

  private static final Logger LOG = LoggerFactory.getLogger(TransactionalKafkaWrite.class);

  private final String bootstrapServers;
  private final String topic;
  private final int numShards;
  private final String sinkGroupId;
  private final String jobWriterId;

  private TransactionalKafkaWrite(
      String bootstrapServers, String topic, int numShards, String sinkGroupId, String jobWriterId) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.numShards = numShards;
    this.sinkGroupId = sinkGroupId;
    this.jobWriterId = jobWriterId;
  }

  /**
   * A writer to {@code topic} with {@code numShards} transactional producers, whose progress is
   * kept under {@code sinkGroupId}. {@code numShards} must not exceed the topic's partitions: shard
   * n's progress is the group's offset metadata of partition n.
   */
  public static TransactionalKafkaWrite to(
      String bootstrapServers, String topic, int numShards, String sinkGroupId) {
    KafkaSinks.requireNonEmpty(bootstrapServers, "--bootstrapServers");
    KafkaSinks.requireNonEmpty(topic, "the topic");
    KafkaSinks.requireNonEmpty(sinkGroupId, "the exactly-once sink group id");
    if (numShards < 1) {
      throw new IllegalArgumentException("--kafkaSinkShards must be at least 1, got " + numShards);
    }
    return new TransactionalKafkaWrite(
        bootstrapServers, topic, numShards, sinkGroupId, UUID.randomUUID().toString());
  }

  /** The writer id this job's shards start with; tests use it to act as a restarted job. */
  TransactionalKafkaWrite withJobWriterId(String value) {
    KafkaSinks.requireNonEmpty(value, "the writer id");
    return new TransactionalKafkaWrite(bootstrapServers, topic, numShards, sinkGroupId, value);
  }

  @Override
  public PDone expand(PCollection<ProducerRecord<byte[], byte[]>> records) {
    int partitions = KafkaSinks.partitionCount(bootstrapServers, topic);
    if (numShards > partitions) {
      throw new IllegalArgumentException(
          "--kafkaSinkShards is " + numShards + " but topic " + topic + " has " + partitions
              + " partition(s): the exactly-once sink needs a partition per shard");
    }
    KvCoder<Integer, ProducerRecord<byte[], byte[]>> sharded =
        KvCoder.of(VarIntCoder.of(), KafkaSinks.coder());
    KvCoder<KV<Integer, String>, KV<Long, ProducerRecord<byte[], byte[]>>> numbered =
        KvCoder.of(
            KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of()),
            KvCoder.of(VarLongCoder.of(), KafkaSinks.coder()));
    records
        .apply(
            "RecordsIntoPanes",
            // A pane becomes one transaction per shard: a pane per record capped the sink at about
            // ten records a second (a commit each); a short delay batches them.
            Window.<ProducerRecord<byte[], byte[]>>into(new GlobalWindows())
                .triggering(PANES)
                .discardingFiredPanes())
        .apply("AssignShard", ParDo.of(new AssignShardFn(numShards)))
        .setCoder(sharded)
        .apply("PersistShards", GroupByKey.create())
        .apply("NumberWithinShard", ParDo.of(new NumberWithinShardFn(jobWriterId)))
        .setCoder(numbered)
        // Again: the GroupByKey above would hand on its continuation trigger, which fires for
        // every element (elementCountAtLeast(1)), so each record would become its own transaction.
        .apply(
            "NumbersIntoPanes",
            Window.<KV<KV<Integer, String>, KV<Long, ProducerRecord<byte[], byte[]>>>>into(new GlobalWindows())
                .triggering(PANES)
                .discardingFiredPanes())
        .apply("PersistNumbers", GroupByKey.create())
        .apply(
            "WriteInTransactions",
            ParDo.of(
                new WriteInTransactionsFn(bootstrapServers, topic, sinkGroupId)));
    return PDone.in(records.getPipeline());
  }

  /** Shard by key, so one key's records keep their order; keyless records go round robin. */
  static final class AssignShardFn
      extends DoFn<ProducerRecord<byte[], byte[]>, KV<Integer, ProducerRecord<byte[], byte[]>>> {
    private final int numShards;
    private transient int next;

    AssignShardFn(int numShards) {
      this.numShards = numShards;
    }

    @ProcessElement
    public void process(
        @Element ProducerRecord<byte[], byte[]> record,
        OutputReceiver<KV<Integer, ProducerRecord<byte[], byte[]>>> out) {
      int shard =
          record.key() == null
              ? (next = (next + 1) % numShards)
              : Math.floorMod(Arrays.hashCode(record.key()), numShards);
      out.output(KV.of(shard, record));
    }
  }

  /**
   * Numbers each shard's records 0, 1, 2, ... in the order they arrive, and keys them by shard and
   * writer id. The writer id is kept in this step's state, beside the numbering it belongs to: a
   * job restored from a checkpoint or savepoint writes under the id of the job that numbered the
   * records, a job started afresh under its own.
   */
  static final class NumberWithinShardFn
      extends DoFn<
          KV<Integer, Iterable<ProducerRecord<byte[], byte[]>>>,
          KV<KV<Integer, String>, KV<Long, ProducerRecord<byte[], byte[]>>>> {
    private final String jobWriterId;

    @StateId("next")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("writerId")
    private final StateSpec<ValueState<String>> writerSpec = StateSpecs.value(StringUtf8Coder.of());

    NumberWithinShardFn(String jobWriterId) {
      this.jobWriterId = jobWriterId;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<ProducerRecord<byte[], byte[]>>> shard,
        @StateId("next") ValueState<Long> nextState,
        @StateId("writerId") ValueState<String> writerState,
        OutputReceiver<KV<KV<Integer, String>, KV<Long, ProducerRecord<byte[], byte[]>>>> out) {
      long next = nextState.read() == null ? 0 : nextState.read();
      String writerId = writerState.read();
      if (writerId == null) {
        writerId = jobWriterId;
        writerState.write(writerId);
      }
      KV<Integer, String> key = KV.of(shard.getKey(), writerId);
      for (ProducerRecord<byte[], byte[]> record : shard.getValue()) {
        out.output(KV.of(key, KV.of(next++, record)));
      }
      nextState.write(next);
    }
  }

  /** What a shard's transactions commit beside its records: the last number written, and by whom. */
  static final class ShardProgress {
    @JsonProperty("seq")
    public long lastWritten = -1;

    @JsonProperty("writer")
    public String writerId;

    ShardProgress() {}

    ShardProgress(long lastWritten, String writerId) {
      this.lastWritten = lastWritten;
      this.writerId = writerId;
    }
  }

  /** Writes each shard's records in number order, in transactions that also commit the progress. */
  static final class WriteInTransactionsFn
      extends DoFn<KV<KV<Integer, String>, Iterable<KV<Long, ProducerRecord<byte[], byte[]>>>>, Void> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int RECORDS_PER_TRANSACTION = 1000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    private static final IdleProducers IDLE_PRODUCERS = new IdleProducers();

    private final String bootstrapServers;
    private final String topic;
    private final String sinkGroupId;

    @StateId("nextToWrite")
    private final StateSpec<ValueState<Long>> nextSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("waiting")
    private final StateSpec<BagState<KV<Long, ProducerRecord<byte[], byte[]>>>> waitingSpec =
        StateSpecs.bag(KvCoder.of(VarLongCoder.of(), KafkaSinks.coder()));

    private final Counter written = Metrics.counter("beamline", "kafka_eos_records_written");
    private final Counter skipped = Metrics.counter("beamline", "kafka_eos_records_already_written");
    private final Counter transactions = Metrics.counter("beamline", "kafka_eos_transactions");

    WriteInTransactionsFn(String bootstrapServers, String topic, String sinkGroupId) {
      this.bootstrapServers = bootstrapServers;
      this.topic = topic;
      this.sinkGroupId = sinkGroupId;
    }

    @RequiresStableInput
    @ProcessElement
    public void process(
        @Element KV<KV<Integer, String>, Iterable<KV<Long, ProducerRecord<byte[], byte[]>>>> shard,
        @StateId("nextToWrite") ValueState<Long> nextState,
        @StateId("waiting") BagState<KV<Long, ProducerRecord<byte[], byte[]>>> waitingState)
        throws IOException {
      int shardId = shard.getKey().getKey();
      String writerId = shard.getKey().getValue();
      long next = nextState.read() == null ? 0 : nextState.read();
      String poolKey = transactionalId(shardId) + "/" + writerId;
      ShardProducer producer = IDLE_PRODUCERS.checkOut(poolKey);
      if (producer == null) {
        producer = open(shardId, next, writerId);
      }
      if (producer.lastWritten >= next) {
        // A retry: Kafka already holds numbers up to lastWritten.
        next = producer.lastWritten + 1;
      }
      List<KV<Long, ProducerRecord<byte[], byte[]>>> pending = new ArrayList<>();
      waitingState.read().forEach(pending::add);
      shard.getValue().forEach(pending::add);
      pending.sort(Comparator.comparingLong(KV::getKey));
      List<KV<Long, ProducerRecord<byte[], byte[]>>> stillWaiting = new ArrayList<>();
      try {
        int inTransaction = 0;
        for (KV<Long, ProducerRecord<byte[], byte[]>> numberedRecord : pending) {
          long number = numberedRecord.getKey();
          if (number < next) {
            skipped.inc();
            continue;
          }
          if (number > next) {
            // An earlier number has not arrived yet: keep this one until it has.
            stillWaiting.add(numberedRecord);
            continue;
          }
          if (inTransaction == 0) {
            producer.producer.beginTransaction();
          }
          producer.producer.send(numberedRecord.getValue());
          next++;
          if (++inTransaction == RECORDS_PER_TRANSACTION) {
            producer.commit(next - 1);
            inTransaction = 0;
          }
        }
        if (inTransaction > 0) {
          producer.commit(next - 1);
        }
      } catch (RuntimeException e) {
        // Whatever state the producer is in, the retry starts from a fresh one and from Kafka's progress.
        producer.close();
        throw e;
      }
      nextState.write(next);
      waitingState.clear();
      stillWaiting.forEach(waitingState::add);
      // Only a producer that finished cleanly, outside any transaction, is used again.
      IDLE_PRODUCERS.checkIn(poolKey, producer);
    }

    private String transactionalId(int shardId) {
      return "beamline-" + sinkGroupId + "-" + topic + "-" + shardId;
    }

    /**
     * A producer for the shard, which fences any earlier producer of it, and the shard's progress as
     * Kafka holds it.
     */
    ShardProducer open(int shardId, long next, String writerId) throws IOException {
      // A job restored onto a sink group another job writes fails here, before it fences: fencing
      // would abort that job's open transaction. (Read again after fencing, below, for the final say.)
      ShardProgress before = committedProgress(shardId);
      if (before != null && next > 0 && !writerId.equals(before.writerId)) {
        throw writtenByAnotherJob(shardId);
      }
      KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                  ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId(shardId),
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                  ProducerConfig.ACKS_CONFIG, "all"),
              new ByteArraySerializer(),
              new ByteArraySerializer());
      try {
        // Fence first, read the progress after: fencing waits for a transaction an earlier producer
        // of the shard has in flight (a stopped job's last commit) and stops any further one, so
        // the progress read next is final. Read before, it could miss that last commit, and its
        // records would be written twice.
        producer.initTransactions();
        return new ShardProducer(shardId, writerId, producer, lastWritten(shardId, next, writerId));
      } catch (RuntimeException | IOException e) {
        producer.close(CLOSE_TIMEOUT);
        throw e;
      }
    }

    /** The last number of this writer Kafka holds for the shard; -1 when none. */
    private long lastWritten(int shardId, long next, String writerId) throws IOException {
      ShardProgress committed = committedProgress(shardId);
      if (committed != null) {
        if (writerId.equals(committed.writerId)) {
          return committed.lastWritten;
        } else if (next > 0) {
          throw writtenByAnotherJob(shardId);
        }
        LOG.info(
            "Shard {} of {}: group {} holds progress of an earlier job; this job starts afresh",
            shardId, topic, sinkGroupId);
      } else if (next > 0) {
        throw new IllegalStateException(
            "Exactly-once sink group " + sinkGroupId + " of topic " + topic + " has no progress for"
                + " shard " + shardId + " although this job wrote up to number " + (next - 1)
                + ": the group's offsets expired or were deleted, so what was written is unknown");
      }
      return -1;
    }

    private IllegalStateException writtenByAnotherJob(int shardId) {
      return new IllegalStateException(
          "Exactly-once sink group " + sinkGroupId + " of topic " + topic + " shard " + shardId
              + " was last written by another job: give each job its own --kafkaSinkGroupId");
    }

    private ShardProgress committedProgress(int shardId) throws IOException {
      TopicPartition partition = new TopicPartition(topic, shardId);
      try (KafkaConsumer<byte[], byte[]> consumer =
          new KafkaConsumer<>(
              Map.of(
                  ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                  ConsumerConfig.GROUP_ID_CONFIG, sinkGroupId,
                  // Asks the broker for stable offsets: none a transaction still has pending.
                  ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                  ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
              new ByteArrayDeserializer(),
              new ByteArrayDeserializer())) {
        OffsetAndMetadata offset = consumer.committed(Set.of(partition)).get(partition);
        if (offset == null || offset.metadata() == null || offset.metadata().isEmpty()) {
          return null;
        }
        return JSON.readValue(offset.metadata(), ShardProgress.class);
      }
    }

    /** One shard's transactional producer and what it knows Kafka holds. */
    final class ShardProducer {
      final int shardId;
      final String writerId;
      final KafkaProducer<byte[], byte[]> producer;
      long lastWritten;

      ShardProducer(
          int shardId, String writerId, KafkaProducer<byte[], byte[]> producer, long lastWritten) {
        this.shardId = shardId;
        this.writerId = writerId;
        this.producer = producer;
        this.lastWritten = lastWritten;
      }

      void commit(long upTo) throws IOException {
        producer.sendOffsetsToTransaction(
            Map.of(
                new TopicPartition(topic, shardId),
                new OffsetAndMetadata(0L, JSON.writeValueAsString(new ShardProgress(upTo, writerId)))),
            new ConsumerGroupMetadata(sinkGroupId));
        producer.commitTransaction();
        transactions.inc();
        written.inc(upTo - lastWritten);
        lastWritten = upTo;
      }

      void close() {
        try {
          producer.close(CLOSE_TIMEOUT);
        } catch (RuntimeException e) {
          LOG.warn("Closing the producer of shard {} of {} failed", shardId, topic, e);
        }
      }
    }
  }

  /**
   * Producers between uses, shared by the writing DoFn's instances in one JVM: a runner may hand one
   * shard's bundles to different instances, and two producers of one transactional id fence each
   * other. A producer is checked out for one element and back in only after it committed cleanly,
   * so a task restored after a failure never gets one left inside a transaction; one idle for a
   * minute is closed.
   */
  static final class IdleProducers {
    private static final long IDLE_NANOS = Duration.ofMinutes(1).toNanos();

    private final ConcurrentHashMap<String, Idle> idle = new ConcurrentHashMap<>();

    private record Idle(WriteInTransactionsFn.ShardProducer producer, long since) {}

    IdleProducers() {
      ScheduledExecutorService cleaner =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "beamline-kafka-eos-idle-producers");
                t.setDaemon(true);
                return t;
              });
      cleaner.scheduleWithFixedDelay(this::closeIdle, 10, 10, TimeUnit.SECONDS);
    }

    WriteInTransactionsFn.ShardProducer checkOut(String key) {
      Idle entry = idle.remove(key);
      return entry == null ? null : entry.producer();
    }

    void checkIn(String key, WriteInTransactionsFn.ShardProducer producer) {
      Idle previous = idle.put(key, new Idle(producer, System.nanoTime()));
      if (previous != null && previous.producer() != producer) {
        previous.producer().close();
      }
    }

    private void closeIdle() {
      long now = System.nanoTime();
      idle.forEach(
          (key, entry) -> {
            if (now - entry.since() > IDLE_NANOS && idle.remove(key, entry)) {
              entry.producer().close();
            }
          });
    }
  }
}
