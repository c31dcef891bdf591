package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;

import io.beamline.transforms.model.DeadLetterReason;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.BlockingQueue;
import org.apache.hadoop.conf.Configuration;

/**
 * One worker thread of {@link PlainJavaEtl}: takes line batches from the reader and runs each line
 * through parse, decrypt, flatten, validate, protect and deduplicate, then writes its rows to its
 * own Parquet files and its rejects to its own dead-letter file. Everything it uses per record
 * (parsers, ciphers, row buffers, writers) is its own and reused, so workers share only the
 * event-id set and the queues.
 */
final class EtlWorker implements Runnable {
  private static final int MAX_RECORD_BYTES = 1_048_576;
  private static final DateTimeFormatter DATE_HOUR =
      DateTimeFormatter.ofPattern("'dt='uuuu-MM-dd'/hr='HH").withZone(ZoneOffset.UTC);

  private final SchemaPlans plans;
  private final RecordStages stages;
  private final EventIdSet eventIds;
  private final BlockingQueue<LineBatch> input;
  private final BlockingQueue<LineBatch> emptied;
  private final EtlCounts counts;
  private final FlatRows rows = new FlatRows();
  private final Envelope envelope = new Envelope();
  private final EtlRowSink writers;
  private final DeadLetterFile deadLetters;
  /** The partition suffix of the last hours seen: event times cluster, formatting is not free. */
  private final long[] hourKeys = new long[64];
  private final String[] hourTexts = new String[64];

  EtlWorker(
      int id, SchemaPlans plans, KeyringKeys keys, EventIdSet eventIds, BlockingQueue<LineBatch> input,
      BlockingQueue<LineBatch> emptied, Path outputRoot, boolean writeEtl, int maxOpenWriters,
      long maxBufferedBytes, boolean spill, long ingestedAtMicros, Configuration conf) throws GeneralSecurityException {
    this.plans = plans;
    this.eventIds = eventIds;
    this.input = input;
    this.emptied = emptied;
    this.counts = new EtlCounts(plans.all().size());
    this.stages = new RecordStages(plans, keys);
    this.writers = !writeEtl
        ? null
        : spill
            ? new PartitionSpill(
                outputRoot.resolve("etl"), outputRoot.resolve(".spill"), id, maxOpenWriters, ingestedAtMicros, plans, conf)
            : new PartitionedParquetWriters(
                outputRoot.resolve("etl"), id, maxOpenWriters, maxBufferedBytes, ingestedAtMicros, plans, conf);
    this.deadLetters = new DeadLetterFile(outputRoot, id);
    java.util.Arrays.fill(hourKeys, Long.MIN_VALUE);
  }

  /** The rows this worker spilled by partition, when it spills (else empty). */
  java.util.Map<String, PartitionSpill.Spilled> spilled() {
    return writers instanceof PartitionSpill spill ? spill.spilled() : java.util.Map.of();
  }

  EtlCounts counts() {
    return counts;
  }

  @Override
  public void run() {
    try {
      while (true) {
        LineBatch batch = input.take();
        if (batch.last) {
          break;
        }
        for (int i = 0; i < batch.count; i++) {
          line(batch, i);
        }
        batch.clear();
        emptied.put(batch);
      }
      if (writers != null) {
        writers.close();
      }
      deadLetters.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void line(LineBatch batch, int i) {
    counts.recordsIn++;
    int from = batch.starts[i];
    int length = batch.lengths[i];
    if (batch.oversized[i]) {
      reject(OVERSIZED, "record has more than " + MAX_RECORD_BYTES + " bytes (--maxRecordBytes)", batch.data, from, length);
      return;
    }
    String line;
    try {
      line = stages.utf8OrReject(batch.data, from, length, "line is not valid UTF-8");
    } catch (Rejection r) {
      reject(r.reason(), r.detail(), batch.data, from, length);
      return;
    }
    boolean kept;
    try {
      kept = process(line);
    } catch (Rejection r) {
      counts.deadLetters[r.reason().ordinal()]++;
      deadLetters.write(r.reason(), r.detail(), line);
      return;
    } catch (RuntimeException r) {
      // Beamline's stages turn the unexpected into a dead letter too, naming only the class.
      counts.deadLetters[SCHEMA_VIOLATION.ordinal()]++;
      deadLetters.write(SCHEMA_VIOLATION, "unexpected " + r.getClass().getSimpleName(), line);
      return;
    }
    // Outside the record's try: a failing write (a full disk) fails the run, never a record.
    if (kept) {
      write(envelope);
    }
  }

  /** Runs a line through every stage; true when it is the first copy of a valid event. */
  private boolean process(String line) throws Rejection {
    Envelope e = envelope;
    stages.run(line, e, rows);
    if (!eventIds.add(e.tenant, e.eventId)) {
      counts.duplicates++;
      return false;
    }
    return true;
  }

  private void write(Envelope e) {
    counts.events++;
    int n = rows.ordered.size();
    String dateHour = writers == null ? null : dateHour(e.eventTimeMillis);
    for (int r = 0; r < n; r++) {
      FlatRow row = rows.ordered.get(r);
      counts.etlRows[row.plan.index]++;
      if (writers != null) {
        String partition = e.source + "/" + row.plan.table() + "/tenant=" + e.tenant + "/" + dateHour;
        writers.write(partition, row, e);
      }
    }
  }

  private String dateHour(long millis) {
    long hour = Math.floorDiv(millis, 3_600_000L);
    int slot = (int) (hour & 63);
    if (hourKeys[slot] != hour) {
      hourKeys[slot] = hour;
      hourTexts[slot] = DATE_HOUR.format(Instant.ofEpochMilli(millis));
    }
    return hourTexts[slot];
  }

  private void reject(DeadLetterReason reason, String detail, byte[] data, int from, int length) {
    counts.deadLetters[reason.ordinal()]++;
    deadLetters.writeBytes(reason, detail, data, from, length);
  }
}
