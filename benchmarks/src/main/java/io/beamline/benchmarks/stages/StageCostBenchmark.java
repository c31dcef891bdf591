package io.beamline.benchmarks.stages;

import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.ValidatedEvent;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.util.SerializableUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The cost per record of each stage of Beamline's per-record path, each stage's own code called
 * directly on a fixed pool of good events (see {@link StagePool}), cycling through it. Event stages
 * (parse .. protect, and the chain of them) count one event per operation; the Avro, Parquet and
 * EtlRow coder benchmarks one etl row (an event makes {@link StagePool#rowsPerEvent()} rows);
 * {@link #parquetFileOverhead} one Parquet file.
 * Forks, iterations and JVM flags come from {@link StageBenchmarks}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class StageCostBenchmark {
  /**
   * Rows per Parquet operation, spread over one file per table (about 1,000-2,500 rows a file),
   * so that opening and closing files (footer, last row group) is shared as in a partition's file.
   */
  public static final int PARQUET_ROWS_PER_OP = 4_096;

  /** The pool and a cursor over its events and one over its rows. */
  @State(Scope.Thread)
  public static class Pool {
    public StagePool pool;
    public Coder<Envelope> envelopeCoder;
    public Coder<DecodedEvent> decodedCoder;
    public Coder<FlatEvent> flatCoder;
    public Coder<ValidatedEvent> validatedCoder;
    public Coder<EtlRow> rowCoder;
    /**
     * Beam's AvroCoder as the model classes had it before their own coders: one copy encodes and
     * an equal, separately deserialized copy decodes, as two operators of a runner each hold one.
     */
    public Coder<Envelope> avroEnvelopeWriter;
    public Coder<Envelope> avroEnvelopeReader;
    public Coder<ValidatedEvent> avroValidatedWriter;
    public Coder<ValidatedEvent> avroValidatedReader;
    private int event;
    private int row;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      String file = System.getProperty(StagePool.POOL_FILE_PROPERTY);
      pool =
          file == null || file.isEmpty()
              ? StagePool.generate(StagePool.DEFAULT_EVENTS)
              : StagePool.readFrom(Path.of(file));
      envelopeCoder = pool.stages.coderOf(Envelope.class);
      decodedCoder = pool.stages.coderOf(DecodedEvent.class);
      flatCoder = pool.stages.coderOf(FlatEvent.class);
      validatedCoder = pool.stages.coderOf(ValidatedEvent.class);
      rowCoder = pool.stages.coderOf(EtlRow.class);
      avroEnvelopeWriter = AvroCoder.of(Envelope.class);
      avroEnvelopeReader = SerializableUtils.clone(avroEnvelopeWriter);
      avroValidatedWriter = AvroCoder.of(ValidatedEvent.class);
      avroValidatedReader = SerializableUtils.clone(avroValidatedWriter);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.stages.teardown();
    }

    /** Points the cursors at an event and a row: the next benchmark call reads those. */
    void moveTo(int nextEvent, int nextRow) {
      event = nextEvent;
      row = nextRow;
    }

    /** The index of the next event, cycling. */
    public int nextEvent() {
      int i = event;
      event = i + 1 == pool.lines.length ? 0 : i + 1;
      return i;
    }

    /** The index of the next etl row, cycling. */
    public int nextRow() {
      int i = row;
      row = i + 1 == pool.rows.length ? 0 : i + 1;
      return i;
    }
  }

  /** The pool's Avro records, written by table into Parquet files whose bytes are discarded. */
  @State(Scope.Thread)
  public static class ParquetFiles {
    /** Beamline's sink, and Beam's ParquetIO sink it replaced (a new Hadoop Configuration per file). */
    @Param({"BEAMLINE", "BEAM_PARQUETIO"})
    public ParquetFileBatch.SinkKind sink;

    public ParquetFileBatch batch;

    @Setup(Level.Trial)
    public void setUp(Pool pool) {
      batch = new ParquetFileBatch(pool.pool.records, sink);
    }
  }

  @Benchmark
  public Envelope parseEnvelope(Pool p) {
    return p.pool.stages.parse.apply(p.pool.lines[p.nextEvent()]);
  }

  @Benchmark
  public DecodedEvent decryptPayload(Pool p) {
    return p.pool.stages.decrypt.apply(p.pool.envelopes[p.nextEvent()]);
  }

  @Benchmark
  public FlatEvent flattenRecord(Pool p) {
    return p.pool.stages.flatten.apply(p.pool.decoded[p.nextEvent()]);
  }

  @Benchmark
  public ValidatedEvent validateAgainstSchema(Pool p) {
    return p.pool.stages.validate.apply(p.pool.flat[p.nextEvent()]);
  }

  @Benchmark
  public ValidatedEvent protectPersonalData(Pool p) {
    return p.pool.stages.protect.apply(p.pool.validated[p.nextEvent()]);
  }

  /** Parse .. protect on one line, as fused stages run them: compare with the sum of the five. */
  @Benchmark
  public ValidatedEvent chainParseToProtect(Pool p) {
    return p.pool.stages.chain(p.pool.lines[p.nextEvent()]);
  }

  /** An etl row to the Avro record of its table, as the Parquet write's {@code via} does. */
  @Benchmark
  public GenericRecord avroRecord(Pool p) {
    return p.pool.avro.toRecord(p.pool.rows[p.nextRow()], p.pool.ingestedAtMicros);
  }

  @Benchmark
  @OperationsPerInvocation(PARQUET_ROWS_PER_OP)
  public long parquetEncode(ParquetFiles files) throws IOException {
    DiscardingChannel[] channels = new DiscardingChannel[files.batch.schemas().size()];
    files.batch.write(PARQUET_ROWS_PER_OP, f -> channels[f] = new DiscardingChannel());
    long bytes = 0;
    for (DiscardingChannel c : channels) {
      bytes += c.bytes();
    }
    return bytes;
  }

  /**
   * One file of one row, one table after another: the fixed cost of a Parquet file, which {@link
   * #parquetEncode} shares over its files' rows (per row of a file of n rows, about parquetEncode's
   * steady part plus this divided by n).
   */
  @Benchmark
  public long parquetFileOverhead(ParquetFiles files) throws IOException {
    DiscardingChannel channel = new DiscardingChannel();
    files.batch.writeOneRecordFile(channel);
    return channel.bytes();
  }

  @Benchmark
  public Envelope coderEnvelope(Pool p) throws CoderException {
    return roundTrip(p.envelopeCoder, p.pool.envelopes[p.nextEvent()]);
  }

  @Benchmark
  public DecodedEvent coderDecodedEvent(Pool p) throws CoderException {
    return roundTrip(p.decodedCoder, p.pool.decoded[p.nextEvent()]);
  }

  @Benchmark
  public FlatEvent coderFlatEvent(Pool p) throws CoderException {
    return roundTrip(p.flatCoder, p.pool.flat[p.nextEvent()]);
  }

  @Benchmark
  public ValidatedEvent coderValidatedEvent(Pool p) throws CoderException {
    return roundTrip(p.validatedCoder, p.pool.protectedEvents[p.nextEvent()]);
  }

  @Benchmark
  public EtlRow coderEtlRow(Pool p) throws CoderException {
    return roundTrip(p.rowCoder, p.pool.rows[p.nextRow()]);
  }

  @Benchmark
  public Envelope avroCoderCopiesEnvelope(Pool p) throws CoderException {
    return roundTrip(p.avroEnvelopeWriter, p.avroEnvelopeReader, p.pool.envelopes[p.nextEvent()]);
  }

  @Benchmark
  public ValidatedEvent avroCoderCopiesValidatedEvent(Pool p) throws CoderException {
    return roundTrip(p.avroValidatedWriter, p.avroValidatedReader, p.pool.protectedEvents[p.nextEvent()]);
  }

  /** Encode with one coder, decode with another of the same type. */
  static <T> T roundTrip(Coder<T> writer, Coder<T> reader, T value) throws CoderException {
    return CoderUtils.decodeFromByteArray(reader, CoderUtils.encodeToByteArray(writer, value));
  }

  /** Encode then decode, as a runner does to pass an element between unfused stages. */
  static <T> T roundTrip(Coder<T> coder, T value) throws CoderException {
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, value));
  }
}
