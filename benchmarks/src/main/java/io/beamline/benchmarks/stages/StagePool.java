package io.beamline.benchmarks.stages;

import io.beamline.io.EtlAvroSchemas;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.RecordLimits;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchemas;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.util.CoderUtils;

/**
 * A fixed pool of good, encrypted {@code shop} events from {@link SampleEventGenerator} (orders
 * with 1-8 items, customers, payments; no bad lines, no duplicates), and each stage's input for
 * every one of them, computed once by running the stages themselves: so stage N's benchmark reads
 * exactly what stage N-1 makes. Every event of the pool passes every stage (a dead letter while
 * the pool is built fails it).
 */
public final class StagePool {
  /** Events in the pool unless a size is given: a few thousand, small enough to stay in cache-ish memory. */
  public static final int DEFAULT_EVENTS = 2_000;

  /** System property naming the schema directory (the forks of {@link StageBenchmarks} get it). */
  public static final String SCHEMA_DIR_PROPERTY = "beamline.schemaDir";

  /** System property naming a file {@link #writeTo(Path)} wrote, which the forks read the pool from. */
  public static final String POOL_FILE_PROPERTY = "beamline.stagePoolFile";

  private static final long SEED = 20261122L;
  /** The generator leaves about 10 % of good events unencrypted; those are skipped. */
  private static final double GENERATED_PER_KEPT = 1.25;

  public final Keyring keyring;
  public final TableSchemas schemas;
  public final ProcessEnvelopesStages stages;
  public final EtlAvroSchemas avro;
  /** The {@code _ingested_at} of every Avro record, as a run's start. */
  public final long ingestedAtMicros;

  public final String[] lines;
  public final Envelope[] envelopes;
  public final DecodedEvent[] decoded;
  public final FlatEvent[] flat;
  public final ValidatedEvent[] validated;
  public final ValidatedEvent[] protectedEvents;
  /** Every etl row of the protected events, in event order: what the write receives. */
  public final EtlRow[] rows;
  public final GenericRecord[] records;

  private StagePool(
      Keyring keyring,
      TableSchemas schemas,
      ProcessEnvelopesStages stages,
      String[] lines,
      Envelope[] envelopes,
      DecodedEvent[] decoded,
      FlatEvent[] flat,
      ValidatedEvent[] validated,
      ValidatedEvent[] protectedEvents) {
    this.keyring = keyring;
    this.schemas = schemas;
    this.stages = stages;
    this.avro = new EtlAvroSchemas(schemas);
    this.ingestedAtMicros = ChronoUnit.MICROS.between(Instant.EPOCH, Instant.parse("2026-11-22T00:00:00Z"));
    this.lines = lines;
    this.envelopes = envelopes;
    this.decoded = decoded;
    this.flat = flat;
    this.validated = validated;
    this.protectedEvents = protectedEvents;
    List<EtlRow> allRows = new ArrayList<>();
    for (ValidatedEvent e : protectedEvents) {
      allRows.addAll(e.rows());
    }
    this.rows = allRows.toArray(EtlRow[]::new);
    this.records = new GenericRecord[rows.length];
    for (int i = 0; i < rows.length; i++) {
      records[i] = avro.toRecord(rows[i], ingestedAtMicros);
    }
  }

  /** Runs the stages over the first {@code events} encrypted lines of {@code generated}. */
  private static StagePool of(Keyring keyring, TableSchemas schemas, List<String> generated, int events) {
    ProcessEnvelopesStages stages = ProcessEnvelopesStages.of(keyring, schemas, RecordLimits.defaults());
    List<String> kept = new ArrayList<>(events);
    List<Envelope> parsed = new ArrayList<>(events);
    for (String line : generated) {
      if (kept.size() == events) {
        break;
      }
      Envelope e = stages.parse.apply(line);
      if (e.keyId() != null) {
        kept.add(line);
        parsed.add(e);
      }
    }
    if (kept.size() < events) {
      throw new IllegalStateException(
          "the generator made " + kept.size() + " encrypted events, fewer than the " + events + " asked for");
    }
    Envelope[] envelopes = parsed.toArray(Envelope[]::new);
    DecodedEvent[] decoded = new DecodedEvent[events];
    FlatEvent[] flat = new FlatEvent[events];
    ValidatedEvent[] validated = new ValidatedEvent[events];
    ValidatedEvent[] protectedEvents = new ValidatedEvent[events];
    for (int i = 0; i < events; i++) {
      decoded[i] = stages.decrypt.apply(envelopes[i]);
      flat[i] = stages.flatten.apply(decoded[i]);
      validated[i] = stages.validate.apply(flat[i]);
      protectedEvents[i] = stages.protect.apply(validated[i]);
    }
    return new StagePool(
        keyring, schemas, stages, kept.toArray(String[]::new), envelopes, decoded, flat, validated, protectedEvents);
  }

  /** A pool of {@code events} events, with schemas from {@link #schemaDir()}. */
  public static StagePool generate(int events) {
    return generate(schemaDir(), events);
  }

  /** A pool of {@code events} events (the same every time), checked against the schemas in {@code schemaDir}. */
  public static StagePool generate(Path schemaDir, int events) {
    Random random = new Random(SEED);
    Keyring keyring =
        Keyring.generate(random, "k1", "k2").withPiiKeysFor(random, SampleEventGenerator.TENANTS);
    TableSchemas schemas = TableSchemas.load(schemaDir);
    Path dir = null;
    try {
      dir = Files.createTempDirectory("beamline-stage-pool");
      SampleEventGenerator.builder()
          .count((int) Math.ceil(events * GENERATED_PER_KEPT) + 16)
          .outputPath(dir)
          .keyring(keyring)
          .badFraction(0)
          .duplicateFraction(0)
          .files(1)
          .seed(SEED)
          .build()
          .generate();
      List<String> generated;
      try (Stream<Path> files = Files.list(dir)) {
        Path file = files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).findFirst().orElseThrow();
        generated = Files.readAllLines(file, StandardCharsets.UTF_8);
      }
      return of(keyring, schemas, generated, events);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot generate the benchmark pool", e);
    } finally {
      deleteQuietly(dir);
    }
  }

  /** The pool as written to a file: each stage's inputs in the coder of their type. */
  private record PoolFile(
      Keyring keyring,
      TableSchemas schemas,
      byte[] stages,
      String[] lines,
      byte[][] envelopes,
      byte[][] decoded,
      byte[][] flat,
      byte[][] validated,
      byte[][] protectedEvents)
      implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  /**
   * Writes the pool to {@code file} (owner-only: it holds the pool's keyring, random keys made
   * from a fixed seed for benchmarks only), so that JMH's forks read it instead of generating it
   * and building a pipeline again, which would cost each fork seconds.
   */
  public void writeTo(Path file) throws IOException {
    PoolFile content =
        new PoolFile(
            keyring,
            schemas,
            stages.toBytes(),
            lines,
            encoded(stages.coderOf(Envelope.class), envelopes),
            encoded(stages.coderOf(DecodedEvent.class), decoded),
            encoded(stages.coderOf(FlatEvent.class), flat),
            encoded(stages.coderOf(ValidatedEvent.class), validated),
            encoded(stages.coderOf(ValidatedEvent.class), protectedEvents));
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (ObjectOutputStream out = new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
      out.writeObject(content);
    }
  }

  /** The pool {@link #writeTo(Path)} wrote, its stages set up afresh. */
  public static StagePool readFrom(Path file) throws IOException {
    PoolFile in;
    try (ObjectInputStream stream = new ObjectInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
      in = (PoolFile) stream.readObject();
    } catch (ClassNotFoundException e) {
      throw new IOException("not a stage pool file: " + file, e);
    }
    ProcessEnvelopesStages stages = ProcessEnvelopesStages.fromBytes(in.stages());
    return new StagePool(
        in.keyring(),
        in.schemas(),
        stages,
        in.lines(),
        decoded(stages.coderOf(Envelope.class), in.envelopes(), Envelope[]::new),
        decoded(stages.coderOf(DecodedEvent.class), in.decoded(), DecodedEvent[]::new),
        decoded(stages.coderOf(FlatEvent.class), in.flat(), FlatEvent[]::new),
        decoded(stages.coderOf(ValidatedEvent.class), in.validated(), ValidatedEvent[]::new),
        decoded(stages.coderOf(ValidatedEvent.class), in.protectedEvents(), ValidatedEvent[]::new));
  }

  private static <T> byte[][] encoded(Coder<T> coder, T[] values) throws CoderException {
    byte[][] out = new byte[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = CoderUtils.encodeToByteArray(coder, values[i]);
    }
    return out;
  }

  private static <T> T[] decoded(Coder<T> coder, byte[][] bytes, IntFunction<T[]> array) throws CoderException {
    T[] out = array.apply(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      out[i] = CoderUtils.decodeFromByteArray(coder, bytes[i]);
    }
    return out;
  }

  /**
   * The shipped schema directory: the {@value #SCHEMA_DIR_PROPERTY} system property, else {@code
   * schemas} or {@code ../schemas} from the working directory (the repository root, or a module).
   */
  public static Path schemaDir() {
    String property = System.getProperty(SCHEMA_DIR_PROPERTY);
    if (property != null && !property.isEmpty()) {
      return Path.of(property);
    }
    for (Path candidate : List.of(Path.of("schemas"), Path.of("../schemas"))) {
      if (Files.isRegularFile(candidate.resolve("shop/orders.json"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "no schemas/shop/orders.json here or one level up; set -D" + SCHEMA_DIR_PROPERTY + "=<dir>");
  }

  /** Mean UTF-8 length of the pool's lines. */
  public double meanLineBytes() {
    long total = 0;
    for (String line : lines) {
      total += line.getBytes(StandardCharsets.UTF_8).length;
    }
    return (double) total / lines.length;
  }

  /** Etl rows per event. */
  public double rowsPerEvent() {
    return (double) rows.length / lines.length;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // A temporary directory left behind is harmless.
    }
  }
}
