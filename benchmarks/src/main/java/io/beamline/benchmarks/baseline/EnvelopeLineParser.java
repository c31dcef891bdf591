package io.beamline.benchmarks.baseline;

import static io.beamline.transforms.model.DeadLetterReason.INVALID_ENVELOPE_FIELD;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.MISSING_ENVELOPE_FIELD;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Parses an envelope line in one streaming pass, with the rules of Beamline's {@code
 * ParseEnvelope}: the whole line must be strict JSON within the envelope limits; then, in this
 * order, event_id (non-empty string, at most 256 characters), tenant, source and table ({@code
 * [a-z0-9_]{1,64}}), event_time (ISO-8601 with offset, years 0001-9999), key_id (non-empty string
 * when set) and payload (base64 text with a key id, an object without). The identity fields are
 * read as tokens into fields of {@link Envelope}; an unencrypted payload is kept as the span of
 * the line it occupies, never built into anything. Not thread-safe: one per worker.
 */
final class EnvelopeLineParser {
  private static final int MAX_EVENT_ID_CHARS = 256;
  private static final long MIN_MILLIS = -62135596800000L; // 0001-01-01T00:00:00Z
  private static final long MAX_MILLIS = 253402300799999L; // 9999-12-31T23:59:59.999Z

  /** How an envelope field was found: absent, JSON null, a string, an object, something else. */
  private static final byte ABSENT = 0;
  private static final byte NULL = 1;
  private static final byte STRING = 2;
  private static final byte OBJECT = 3;
  private static final byte OTHER = 4;

  private static final int EVENT_ID = 0;
  private static final int TENANT = 1;
  private static final int SOURCE = 2;
  private static final int TABLE = 3;
  private static final int EVENT_TIME = 4;
  private static final int KEY_ID = 5;
  private static final int PAYLOAD = 6;
  private static final String[] NAMES = {"event_id", "tenant", "source", "table", "event_time", "key_id", "payload"};

  private final LimitedJsonTokens tokens = LimitedJsonTokens.forEnvelope();
  private final byte[] kinds = new byte[NAMES.length];
  private final String[] texts = new String[NAMES.length];

  /** Fills {@code out} from {@code line}, or rejects the line with Beamline's reason. */
  void parse(String line, Envelope out) throws Rejection {
    java.util.Arrays.fill(kinds, ABSENT);
    java.util.Arrays.fill(texts, null);
    String rootKind;
    try {
      tokens.start(line);
      JsonParser p = tokens.parser();
      JsonToken first = tokens.next();
      if (first == null) {
        throw new Rejection(MALFORMED_JSON, "envelope is empty");
      }
      if (first != JsonToken.START_OBJECT) {
        tokens.skipValue(first);
        tokens.expectEnd();
        rootKind = first == JsonToken.START_ARRAY ? "array"
            : first == JsonToken.VALUE_STRING ? "string"
            : first.isNumeric() ? "number"
            : first == JsonToken.VALUE_NULL ? "null" : "boolean";
        throw new Rejection(MALFORMED_JSON, "envelope is a JSON " + rootKind + ", not an object");
      }
      for (JsonToken t = tokens.next(); t == JsonToken.FIELD_NAME; t = tokens.next()) {
        int field = fieldIndex(p.currentName());
        JsonToken value = tokens.next();
        if (value == null) {
          throw new Rejection(MALFORMED_JSON, "envelope is not valid JSON");
        }
        if (field < 0) {
          tokens.skipValue(value);
          continue;
        }
        if (value == JsonToken.VALUE_STRING) {
          kinds[field] = STRING;
          texts[field] = p.getText();
        } else if (value == JsonToken.VALUE_NULL) {
          kinds[field] = NULL;
        } else if (value == JsonToken.START_OBJECT && field == PAYLOAD) {
          int start = (int) p.currentTokenLocation().getCharOffset();
          tokens.skipValue(value);
          int end = (int) p.currentLocation().getCharOffset();
          kinds[field] = OBJECT;
          texts[field] = line.substring(start, end);
        } else {
          kinds[field] = OTHER;
          tokens.skipValue(value);
        }
      }
      if (tokens.depth() != 0) {
        throw new Rejection(MALFORMED_JSON, "envelope is not valid JSON");
      }
      tokens.expectEnd();
    } catch (IOException e) {
      throw new Rejection(MALFORMED_JSON, "envelope is not valid JSON");
    }
    out.line = line;
    out.eventId = text(EVENT_ID);
    if (out.eventId.length() > MAX_EVENT_ID_CHARS) {
      throw new Rejection(
          INVALID_ENVELOPE_FIELD, "event_id is longer than " + MAX_EVENT_ID_CHARS + " characters");
    }
    out.tenant = name(TENANT);
    out.source = name(SOURCE);
    out.table = name(TABLE);
    out.eventTimeMillis = eventTime(text(EVENT_TIME));
    out.keyId = null;
    if (kinds[KEY_ID] != ABSENT && kinds[KEY_ID] != NULL) {
      if (kinds[KEY_ID] != STRING || texts[KEY_ID].isEmpty()) {
        throw new Rejection(INVALID_ENVELOPE_FIELD, "key_id must be a non-empty string");
      }
      out.keyId = texts[KEY_ID];
    }
    byte payload = kinds[PAYLOAD];
    if (payload == ABSENT || payload == NULL || (payload == STRING && texts[PAYLOAD].isEmpty())) {
      throw new Rejection(MISSING_ENVELOPE_FIELD, "payload is missing or empty");
    }
    if (out.keyId != null && payload != STRING) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, "payload must be a base64 string when key_id is set");
    }
    if (out.keyId == null && payload != OBJECT) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, "payload must be a JSON object when key_id is absent");
    }
    out.payload = texts[PAYLOAD];
  }

  private static int fieldIndex(String name) {
    // Jackson interns field names: identity first, equals for the rest.
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i] == name || NAMES[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  private String text(int field) throws Rejection {
    byte kind = kinds[field];
    if (kind == ABSENT || kind == NULL || (kind == STRING && texts[field].isEmpty())) {
      throw new Rejection(MISSING_ENVELOPE_FIELD, NAMES[field] + " is missing or empty");
    }
    if (kind != STRING) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, NAMES[field] + " must be a string");
    }
    return texts[field];
  }

  private String name(int field) throws Rejection {
    String value = text(field);
    if (!isName(value)) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, NAMES[field] + " must match [a-z0-9_]{1,64}");
    }
    return value;
  }

  /** {@code [a-z0-9_]{1,64}}, the names that become path segments. */
  static boolean isName(String s) {
    int n = s.length();
    if (n < 1 || n > 64) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
        return false;
      }
    }
    return true;
  }

  static long eventTime(String value) throws Rejection {
    long millis;
    try {
      millis = OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
    } catch (DateTimeException | ArithmeticException e) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, "event_time is not ISO-8601 with an offset or Z");
    }
    if (millis < MIN_MILLIS || millis > MAX_MILLIS) {
      throw new Rejection(INVALID_ENVELOPE_FIELD, "event_time is outside 0001..9999");
    }
    return millis;
  }
}
