package io.beamline.pipelines.etl;

import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import io.beamline.io.ReadEnvelopeLines;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.util.MimeTypes;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PDone;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Counts a run's records from the data itself (not from runner metrics, which runners report
 * differently): records in, etl records and rows per table, dead letters per reason, duplicates,
 * and the event-time range. Writes them as one JSON object to a staging file that the driver turns
 * into the run's audit record once the pipeline has finished.
 */
final class AuditCounts extends PTransform<PCollection<String>, PDone> {
  static final String RECORDS_IN = "records_in";
  static final String ETL_RECORDS = "etl_records";
  static final String ETL_ROWS = "etl_rows/";
  static final String DEAD_LETTERS = "dead_letters/";
  static final String DUPLICATES = "duplicates";
  static final String LOAD_REFUSED_ROWS = "load_refused_rows";
  /** Rows (of accepted records, counted in etl_rows) the quality gate sent to quarantine. */
  static final String QUARANTINED_ROWS = "quarantined_rows/";
  static final String EVENT_TIME_MIN = "event_time_min";
  static final String EVENT_TIME_MAX = "event_time_max";

  private final ProcessedEnvelopes processed;
  private final String stagingFile;

  AuditCounts(ProcessedEnvelopes processed, String stagingFile) {
    this.processed = processed;
    this.stagingFile = stagingFile;
  }

  /** Input: the run's {@link #countKeys}. */
  @Override
  public PDone expand(PCollection<String> keys) {
    PCollection<ValidatedEvent> events = processed.events();
    PCollection<KV<String, Long>> eventTimes =
        events.apply(
            "EventTimeRange",
            FlatMapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via(
                    (ValidatedEvent e) ->
                        List.of(
                            KV.of(EVENT_TIME_MIN, e.envelope().eventTimeMillis()),
                            KV.of(EVENT_TIME_MAX, e.envelope().eventTimeMillis()))));
    PCollectionList.of(keys.apply("CountByKey", Count.perElement()))
        .and(eventTimes)
        .apply("AllCounts", Flatten.pCollections())
        .apply("OneSummary", Combine.globally(new MergeCounts()))
        .apply("WriteStaging", ParDo.of(new WriteFileFn(stagingFile)));
    return PDone.in(keys.getPipeline());
  }

  /**
   * One key per thing counted, each carrying the timestamp of the line it came from: {@code
   * records_in} per line read, {@code etl_records} per event, {@code etl_rows/<table>} per row,
   * {@code dead_letters/<reason>} per dead letter, {@code duplicates} per duplicate dropped.
   * {@code linesRead}: every line read, dead letters of the read stage excluded (those come with
   * them).
   */
  static PCollection<String> countKeys(
      PCollection<String> linesRead, ProcessedEnvelopes processed, PCollection<DeadLetter> deadLetters) {
    return PCollectionList.of(linesRead.apply("LineKeys", constant(RECORDS_IN)))
        .and(
            deadLetters
                .apply(
                    "ReadRejectKeys",
                    Filter.by((DeadLetter d) -> d.stage().equals(ReadEnvelopeLines.STAGE)))
                .apply("ReadRejectAsIn", constant(RECORDS_IN)))
        .and(processed.events().apply("EventKeys", constant(ETL_RECORDS)))
        .and(
            processed
                .rows()
                .apply(
                    "RowKeys",
                    MapElements.into(TypeDescriptors.strings()).via((EtlRow r) -> ETL_ROWS + r.table())))
        .and(
            deadLetters.apply(
                "DeadLetterKeys",
                MapElements.into(TypeDescriptors.strings())
                    .via((DeadLetter d) -> DEAD_LETTERS + d.reason().name())))
        .and(processed.duplicates().apply("DuplicateKeys", constant(DUPLICATES)))
        .apply("AllKeys", Flatten.pCollections());
  }

  /** One {@code load_refused_rows} key per row the warehouse refused. */
  static PCollection<String> loadRefusedKeys(PCollection<DeadLetter> refused) {
    return refused.apply("LoadRefusedKeys", constant(LOAD_REFUSED_ROWS));
  }

  /** One {@code quarantined_rows/<table>} key per row the quality gate quarantined. */
  static PCollection<String> quarantinedKeys(PCollection<EtlRow> quarantined) {
    return quarantined.apply(
        "QuarantinedKeys",
        MapElements.into(TypeDescriptors.strings()).via((EtlRow r) -> QUARANTINED_ROWS + r.table()));
  }

  private static <T> MapElements<T, String> constant(String key) {
    return MapElements.into(TypeDescriptors.strings()).via((T ignored) -> key);
  }

  /** Sums counters; keeps the minimum and maximum of the event-time keys. */
  static final class MergeCounts
      extends Combine.CombineFn<KV<String, Long>, Map<String, Long>, String> {
    @Override
    public Map<String, Long> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, Long> addInput(Map<String, Long> acc, KV<String, Long> in) {
      acc.merge(in.getKey(), in.getValue(), mergerFor(in.getKey()));
      return acc;
    }

    @Override
    public Map<String, Long> mergeAccumulators(Iterable<Map<String, Long>> accs) {
      Map<String, Long> out = new HashMap<>();
      for (Map<String, Long> acc : accs) {
        acc.forEach((k, v) -> out.merge(k, v, mergerFor(k)));
      }
      return out;
    }

    @Override
    public String extractOutput(Map<String, Long> acc) {
      StringBuilder json = new StringBuilder("{");
      for (Map.Entry<String, Long> e : new TreeMap<>(acc).entrySet()) {
        json.append(json.length() > 1 ? "," : "").append('"').append(e.getKey()).append("\":").append(e.getValue());
      }
      return json.append('}').toString();
    }

    @Override
    public Coder<Map<String, Long>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<String, Long>> inputCoder) {
      return MapCoder.of(StringUtf8Coder.of(), VarLongCoder.of());
    }

    private static BiFunction<Long, Long, Long> mergerFor(String key) {
      return key.equals(EVENT_TIME_MIN) ? Math::min : key.equals(EVENT_TIME_MAX) ? Math::max : Long::sum;
    }
  }

  static final class WriteFileFn extends DoFn<String, Void> {
    private final String path;

    WriteFileFn(String path) {
      this.path = path;
    }

    @ProcessElement
    public void process(@Element String json) throws IOException {
      try (OutputStream out =
          Channels.newOutputStream(
              FileSystems.create(FileSystems.matchNewResource(path, false), MimeTypes.TEXT))) {
        out.write(json.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
