package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;

import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.avro.Schema;

/**
 * The baseline's per-record work (parse, decrypt, flatten, validate, protect; the same classes and
 * rules as {@link EtlWorker}) behind a public face, for other contenders that bring their own
 * engine for reading, deduplicating and writing (the native Spark job). One instance per thread or
 * Spark partition: not thread-safe. Deduplication is left to the caller.
 */
public final class RecordDecoder {
  /** Lines longer than this (UTF-8 bytes, after one trailing '\r' is dropped) are {@code OVERSIZED}. */
  public static final int MAX_RECORD_BYTES = 1_048_576;

  /** One etl table: its name and the Avro schema of its rows (the etl zone's, from EtlAvroSchemas). */
  public record Table(int index, String source, String table, Schema avroSchema) {}

  /**
   * What one line became; reused by the next call. Accepted: {@link #reason} is null and {@link
   * #rows} holds, per table index, the event's rows as values by Avro field position (Avro's Java
   * types: timestamps long micros, dates int days, decimals unscaled bytes). Rejected: reason,
   * detail and the line (as text, or {@link #lineBase64} for a line that is not UTF-8 or oversized,
   * then only its first 1 KiB).
   */
  public static final class Decoded {
    public DeadLetterReason reason;
    public String detail;
    public String line;
    public String lineBase64;
    public String tenant;
    public String eventId;
    public long eventTimeMillis;
    public final List<List<Object[]>> rows = new ArrayList<>();

    private Decoded(int tables) {
      for (int i = 0; i < tables; i++) {
        rows.add(new ArrayList<>());
      }
    }
  }

  private final SchemaPlans plans;
  private final RecordStages stages;
  private final List<Table> tables = new ArrayList<>();
  private final long ingestedAtMicros;
  private final FlatRows flatRows = new FlatRows();
  private final Envelope envelope = new Envelope();
  private final Decoded decoded;

  /** Loads and checks the schemas and keyring as the baseline does (errors name the option). */
  public RecordDecoder(Path schemaDir, Path keyringPath, long ingestedAtMicros) throws GeneralSecurityException {
    this.plans = new SchemaPlans(TableSchemas.load(schemaDir));
    KeyringKeys keys = KeyringKeys.load(keyringPath);
    this.stages = new RecordStages(plans, keys);
    this.ingestedAtMicros = ingestedAtMicros;
    for (TablePlan p : plans.all()) {
      tables.add(new Table(p.index, p.schema.source(), p.table(), p.avroSchema));
    }
    this.decoded = new Decoded(tables.size());
  }

  /** Every table, by index (sorted by source, then table). */
  public List<Table> tables() {
    return tables;
  }

  /** Decodes one input line (its bytes without the '\n'), as the baseline's worker does. */
  public Decoded decode(byte[] bytes, int length) {
    Decoded d = decoded;
    d.reason = null;
    d.detail = null;
    d.line = null;
    d.lineBase64 = null;
    d.tenant = null;
    d.eventId = null;
    for (List<Object[]> r : d.rows) {
      r.clear();
    }
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    if (length > MAX_RECORD_BYTES) {
      return reject(OVERSIZED, "record has more than " + MAX_RECORD_BYTES + " bytes (--maxRecordBytes)", null,
          Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, EnvelopeFileReader.OVERSIZED_PREFIX_BYTES)));
    }
    String line;
    try {
      line = stages.utf8OrReject(bytes, 0, length, "line is not valid UTF-8");
    } catch (Rejection r) {
      return reject(r.reason(), r.detail(), null, Base64.getEncoder().encodeToString(Arrays.copyOf(bytes, length)));
    }
    try {
      process(line);
    } catch (Rejection r) {
      return reject(r.reason(), r.detail(), line, null);
    } catch (RuntimeException r) {
      // As the baseline and Beamline: the unexpected is a dead letter naming only the class.
      return reject(SCHEMA_VIOLATION, "unexpected " + r.getClass().getSimpleName(), line, null);
    }
    Envelope e = envelope;
    d.tenant = e.tenant;
    d.eventId = e.eventId;
    d.eventTimeMillis = e.eventTimeMillis;
    for (FlatRow row : flatRows.ordered) {
      int n = row.plan.columns.length;
      Object[] values = new Object[n + 5];
      values[0] = e.eventId;
      values[1] = e.tenant;
      values[2] = e.eventTimeMillis * 1000L;
      System.arraycopy(row.values, 0, values, 3, n);
      values[3 + n] = row.extra;
      values[4 + n] = ingestedAtMicros;
      d.rows.get(row.plan.index).add(values);
    }
    return d;
  }

  /** True when {@code bytes[0..length)} holds only spaces, tabs and '\r': the baseline skips such lines. */
  public static boolean isBlank(byte[] bytes, int length) {
    for (int i = 0; i < length; i++) {
      if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
        return false;
      }
    }
    return true;
  }

  private void process(String line) throws Rejection {
    Envelope e = envelope;
    stages.run(line, e, flatRows);
  }

  private Decoded reject(DeadLetterReason reason, String detail, String line, String lineBase64) {
    decoded.reason = reason;
    decoded.detail = detail;
    decoded.line = line;
    decoded.lineBase64 = lineBase64;
    return decoded;
  }
}
