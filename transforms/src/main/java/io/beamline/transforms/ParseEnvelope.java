package io.beamline.transforms;

import static io.beamline.transforms.model.DeadLetterReason.INVALID_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.MISSING_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.OVERSIZED;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Parses input lines into {@link Envelope}s. Lines that are not a JSON object, miss a field, or
 * carry a tenant/source/table that could escape its partition go to the dead-letter output.
 */
public final class ParseEnvelope
    extends PTransform<PCollection<String>, WithFailures.Result<PCollection<Envelope>, DeadLetter>> {
  /** The stage name of this transform's dead letters. */
  public static final String STAGE = "parse";

  /** Names that become path segments: no '/', no '..', no upper case. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");

  /** Beam distribution of processing time minus event time, in ms, of each parsed envelope. */
  public static final String EVENT_TIME_LAG_MS = "event_time_lag_ms";

  private static final int MAX_EVENT_ID_CHARS = 256;
  private static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999Z");
  private static final Set<String> IDENTITY_FIELDS =
      Set.of("event_id", "tenant", "source", "table", "event_time");
  private static final TupleTag<Envelope> ENVELOPES = new TupleTag<Envelope>("envelopes") {};

  private final RecordLimits limits;

  private ParseEnvelope(RecordLimits limits) {
    this.limits = limits;
  }

  /** A parser with {@link RecordLimits#defaults()}. */
  public static ParseEnvelope create() {
    return new ParseEnvelope(RecordLimits.defaults());
  }

  /**
   * Holds every line to these limits: over {@code maxRecordBytes}, or an envelope whose JSON is
   * over the payload limits (one level and a few fields of room for the envelope itself), it is
   * an {@code OVERSIZED} dead letter before any tree is built.
   */
  public ParseEnvelope withLimits(RecordLimits recordLimits) {
    return new ParseEnvelope(recordLimits);
  }

  @Override
  public WithFailures.Result<PCollection<Envelope>, DeadLetter> expand(PCollection<String> lines) {
    return DeadLetters.route(lines, "ParseEnvelopeJson", new ParseFn(limits), ENVELOPES);
  }

  static final class ParseFn extends DoFn<String, Envelope> {
    private final Counter passed = DeadLetters.outputCounter(STAGE);
    /** Processing time minus event time of each parsed envelope (negative: from the future). */
    private final Distribution eventTimeLag =
        Metrics.distribution(DeadLetters.METRICS_NAMESPACE, EVENT_TIME_LAG_MS);

    private final RecordLimits limits;
    private transient BoundedJsonReader reader;
    private transient JsonFactory identityScanner;

    ParseFn(RecordLimits limits) {
      this.limits = limits;
    }

    @Setup
    public void setup() {
      reader = BoundedJsonReader.forEnvelope(limits);
      identityScanner = Json.factory(StreamReadConstraints.defaults());
    }

    @ProcessElement
    public void process(ProcessContext c) {
      String line = c.element();
      // Sources check the size too; this guards lines from anywhere, before any parsing.
      long bytes = BoundedJsonReader.utf8Length(line, limits.maxRecordBytes());
      if (bytes > limits.maxRecordBytes()) {
        DeadLetters.emit(
            c,
            DeadLetter.builder(
                    STAGE, OVERSIZED,
                    "record has more than " + limits.maxRecordBytes() + " bytes (--maxRecordBytes)")
                .rawBytes(BoundedJsonReader.prefix(line))
                .build());
        return;
      }
      try {
        Envelope envelope = parse(reader, line);
        c.output(envelope);
        passed.inc();
        eventTimeLag.update(System.currentTimeMillis() - envelope.eventTimeMillis());
      } catch (RejectedRecordException e) {
        DeadLetters.emit(c, rejected(identityScanner, line, e));
      } catch (RuntimeException e) {
        DeadLetters.emit(
            c,
            DeadLetter.builder(STAGE, MALFORMED_JSON, "unexpected " + e.getClass().getSimpleName())
                .raw(line)
                .build());
      }
    }
  }

  static Envelope parse(BoundedJsonReader reader, String line) throws RejectedRecordException {
    JsonNode root = reader.read(line);
    if (root == null || root.isMissingNode()) {
      throw new RejectedRecordException(MALFORMED_JSON, "envelope is empty");
    }
    if (!root.isObject()) {
      throw new RejectedRecordException(
          MALFORMED_JSON,
          "envelope is a JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT) + ", not an object");
    }
    String eventId = text(root, "event_id");
    if (eventId.length() > MAX_EVENT_ID_CHARS) {
      throw new RejectedRecordException(
          INVALID_ENVELOPE_FIELD, "event_id is longer than " + MAX_EVENT_ID_CHARS + " characters");
    }
    String tenant = name(root, "tenant");
    String source = name(root, "source");
    String table = name(root, "table");
    long eventTime = eventTime(text(root, "event_time"));
    JsonNode keyIdNode = root.get("key_id");
    String keyId = null;
    if (keyIdNode != null && !keyIdNode.isNull()) {
      if (!keyIdNode.isTextual() || keyIdNode.textValue().isEmpty()) {
        throw new RejectedRecordException(INVALID_ENVELOPE_FIELD, "key_id must be a non-empty string");
      }
      keyId = keyIdNode.textValue();
    }
    JsonNode payload = root.get("payload");
    if (payload == null || payload.isNull() || (payload.isTextual() && payload.textValue().isEmpty())) {
      throw new RejectedRecordException(MISSING_ENVELOPE_FIELD, "payload is missing or empty");
    }
    String payloadText;
    if (keyId != null) {
      if (!payload.isTextual()) {
        throw new RejectedRecordException(
            INVALID_ENVELOPE_FIELD, "payload must be a base64 string when key_id is set");
      }
      payloadText = payload.textValue();
    } else {
      if (!payload.isObject()) {
        throw new RejectedRecordException(
            INVALID_ENVELOPE_FIELD, "payload must be a JSON object when key_id is absent");
      }
      payloadText = payload.toString();
    }
    return new Envelope(eventId, tenant, source, table, eventTime, keyId, payloadText, line);
  }

  private static String text(JsonNode root, String field) throws RejectedRecordException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull() || (node.isTextual() && node.textValue().isEmpty())) {
      throw new RejectedRecordException(MISSING_ENVELOPE_FIELD, field + " is missing or empty");
    }
    if (!node.isTextual()) {
      throw new RejectedRecordException(INVALID_ENVELOPE_FIELD, field + " must be a string");
    }
    return node.textValue();
  }

  private static String name(JsonNode root, String field) throws RejectedRecordException {
    String value = text(root, field);
    if (!NAME.matcher(value).matches()) {
      throw new RejectedRecordException(
          INVALID_ENVELOPE_FIELD, field + " must match " + NAME.pattern());
    }
    return value;
  }

  private static long eventTime(String value) throws RejectedRecordException {
    try {
      Instant t = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
      if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
        throw new RejectedRecordException(INVALID_ENVELOPE_FIELD, "event_time is outside 0001..9999");
      }
      return t.toEpochMilli();
    } catch (DateTimeException e) {
      throw new RejectedRecordException(
          INVALID_ENVELOPE_FIELD, "event_time is not ISO-8601 with an offset or Z");
    }
  }

  /**
   * A dead letter carrying what could be read of the envelope: valid names and a parseable event
   * time, so the record lands in the right dead-letter partition. Read by a streaming pass over the
   * top-level fields only, so a hostile line is never built into a tree; nothing is taken from a
   * line that is not one well-formed JSON object.
   */
  private static DeadLetter rejected(JsonFactory scanner, String line, RejectedRecordException e) {
    DeadLetter.Builder b = DeadLetter.builder(STAGE, e.reason(), e.detail()).raw(line);
    Map<String, String> identity = topLevelStrings(scanner, line);
    if (identity != null) {
      b.eventId(checkedText(identity.get("event_id")));
      b.tenant(checkedName(identity.get("tenant")));
      b.source(checkedName(identity.get("source")));
      b.table(checkedName(identity.get("table")));
      String time = checkedText(identity.get("event_time"));
      if (time != null) {
        try {
          b.eventTimeMillis(eventTime(time));
        } catch (RejectedRecordException ignored) {
          // Unparseable event time: partitioned under dt=unknown.
        }
      }
    }
    return b.build();
  }

  /** The identity fields that are top-level strings of a well-formed JSON object, else null. */
  private static Map<String, String> topLevelStrings(JsonFactory scanner, String line) {
    Map<String, String> found = new HashMap<>();
    try (JsonParser p = scanner.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_STRING && IDENTITY_FIELDS.contains(name)) {
          found.put(name, p.getText());
        } else {
          p.skipChildren();
        }
      }
      return p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null ? found : null;
    } catch (IOException | RuntimeException notJson) {
      // Nothing more is known of a line that is not JSON.
      return null;
    }
  }

  private static String checkedText(String value) {
    return value != null && !value.isEmpty() && value.length() <= MAX_EVENT_ID_CHARS ? value : null;
  }

  private static String checkedName(String value) {
    String text = checkedText(value);
    return text != null && NAME.matcher(text).matches() ? text : null;
  }
}
