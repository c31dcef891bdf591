package io.beamline.transforms.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import java.io.ByteArrayOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * A seeded corpus of hostile input lines for the shared composite: valid {@code shop/orders}
 * envelopes of {@link TestSchemas#shop()} (encrypted with {@link TestKeyrings#keyring()} or not),
 * mutated in the ways of {@link Kind}. Record {@code i} depends only on the seed and {@code i},
 * so a pipeline can generate the records in parallel and a test can recompute any of them.
 *
 * <p>Each kind says what a correct pipeline makes of its records: an event, a duplicate, a dead
 * letter of one reason, or {@link #ANY} outcome for random damage (bit flips, garbage), where
 * only conservation can be asserted. The deterministic kinds rely on the limits the corpus is
 * built for ({@link #maxRecordBytes} ...): pass the same ones to the composite.
 *
 * <p>Every event id is {@code fz-<index>-<check>} with a check derived from the index, so no
 * random damage turns one record's id into another's: the only duplicates are the {@link
 * Kind#DUPLICATE} copies.
 */
public final class HostileRecords implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The expectation of random damage: any outcome, as long as the record is accounted for. */
  public static final String ANY = "ANY";
  /** The expectation of a record that becomes an accepted event. */
  public static final String ROW = "ROW";
  /** The expectation of an exact copy of an earlier valid record. */
  public static final String DUPLICATE = "DUPLICATE";

  /** How a record is damaged, with the outcome a correct pipeline gives it. */
  public enum Kind {
    VALID(ROW, 60),
    /** A byte-identical copy of the nearest valid record before it. */
    DUPLICATE(HostileRecords.DUPLICATE, 15),
    /** Unicode edge cases in free-text values: RTL override, emoji, NUL and BOM escapes, CJK. */
    UNICODE_VALUE(ROW, 15),
    OVERSIZED_RECORD("OVERSIZED", 10),
    DEEP_PAYLOAD("OVERSIZED", 20),
    /** A line of thousands of '[' or '{"a":'. */
    DEEP_LINE("OVERSIZED", 10),
    TOO_MANY_VALUES("OVERSIZED", 20),
    LONG_STRING("OVERSIZED", 20),
    LONG_FIELD_NAME("OVERSIZED", 10),
    LONG_NUMBER("OVERSIZED", 20),
    /** Numbers of few digits beyond the range of a double (1e999999999), refused as JSON. */
    HUGE_MAGNITUDE("MALFORMED_JSON", 10),
    /** Finite numbers the schema refuses: 1e37, 1e-999999999, 39 digits, beyond an int. */
    OUT_OF_RANGE_NUMBER("SCHEMA_VIOLATION", 20),
    WRONG_PAYLOAD_TYPE("SCHEMA_VIOLATION", 25),
    NAN_OR_INFINITY("MALFORMED_JSON", 20),
    DUPLICATE_KEY("MALFORMED_JSON", 20),
    TRUNCATED_LINE("MALFORMED_JSON", 25),
    TRUNCATED_PLAINTEXT("MALFORMED_JSON", 15),
    /** U+FEFF before the line or the plaintext. */
    BYTE_ORDER_MARK("MALFORMED_JSON", 10),
    /** A raw control character (NUL, U+0001, newline, tab...) inside a string. */
    RAW_CONTROL_CHAR("MALFORMED_JSON", 15),
    /** An escaped lone or reversed UTF-16 surrogate in a string or field name. */
    LONE_SURROGATE("MALFORMED_JSON", 20),
    /** Overlong, surrogate (CESU), 5-byte and stray bytes in the plaintext before encryption. */
    INVALID_UTF8_PLAINTEXT("MALFORMED_JSON", 15),
    NOT_AN_OBJECT("MALFORMED_JSON", 10),
    FLIPPED_SEALED_BIT("DECRYPT_FAILED", 25),
    TRUNCATED_SEALED("DECRYPT_FAILED", 10),
    BAD_BASE64("DECRYPT_FAILED", 10),
    SEALED_FOR_OTHER_KEY_OR_EVENT("DECRYPT_FAILED", 10),
    UNKNOWN_KEY_ID("UNKNOWN_KEY", 10),
    /** tenant or table with RTL, full-width, NUL or accented characters, or too long. */
    BAD_ENVELOPE_NAME("INVALID_ENVELOPE_FIELD", 20),
    WRONG_ENVELOPE_TYPE("INVALID_ENVELOPE_FIELD", 20),
    LONG_EVENT_ID("INVALID_ENVELOPE_FIELD", 10),
    MISSING_ENVELOPE_FIELD("MISSING_ENVELOPE_FIELD", 15),
    UNKNOWN_TABLE("UNKNOWN_TABLE", 10),
    /** 1 to 4 random bit flips in the line (ASCII bits, so the text stays text). */
    LINE_BIT_FLIPS(ANY, 150),
    /** 1 to 4 random bit flips (any bit) in the plaintext, then encrypted. */
    PLAINTEXT_BIT_FLIPS(ANY, 90),
    /** Random text: ASCII, JSON punctuation, unicode. */
    GARBAGE(ANY, 30),
    /** The front of one valid line joined to the back of another. */
    SPLICED(ANY, 30);

    private final String expected;
    private final int weight;

    Kind(String expected, int weight) {
      this.expected = expected;
      this.weight = weight;
    }

    /** {@link #ROW}, {@link #DUPLICATE}, a dead-letter reason name, or {@link #ANY}. */
    public String expected() {
      return expected;
    }
  }

  private static final int TOTAL_WEIGHT = List.of(Kind.values()).stream().mapToInt(k -> k.weight).sum();
  private static final String[] TENANTS = {"acme", "globex", "initech"};
  private static final String[] STATUSES = {"NEW", "PAID", "SHIPPED", "CANCELLED"};
  private static final String[] CITIES = {"Berlin", "Zürich", "Łódź", "São Paulo", "Oslo"};
  private static final String[] UNICODE_VALUES = {
    "\u202Eevil.exe", "😀🚀", "e\u0301", "\u0000", "\uFEFFx", "東京", "\u200B", "\u0627\u0644\u0631\u064A\u0627\u0636"
  };
  private static final String[] BAD_NAMES = {
    "acme\u202E", "ａｃｍｅ", "acme\u0000", "acm\u00e9", "\uFEFFacme", "Acme", "acme/../x", ".."
  };
  private static final byte[][] INVALID_UTF8 = {
    {(byte) 0xC0, (byte) 0xAF},
    {(byte) 0xC1, (byte) 0x81},
    {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
    {(byte) 0xF0, (byte) 0x80, (byte) 0x80, (byte) 0xAF},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
    {(byte) 0xFF},
    {(byte) 0x80}
  };
  private static final String[] NON_FINITE = {"NaN", "Infinity", "-Infinity", "+Infinity", "nan", "-NaN"};
  private static final String[] LONE_SURROGATES = {
    "\"note\":\"a\\ud800b\"", "\"note\":\"\\udc00\"", "\"note\":\"\\ude00\\ud83d\"", "\"\\ud800\":1",
    "\"note\":\"x\\uDBFF\""
  };
  private static final char[] CONTROL_CHARS = {'\u0000', '\u0001', '\u001f', '\n', '\t', '\r', '\u0008'};

  private final long seed;
  private final long count;
  private final int maxRecordBytes;
  private final int maxNestingDepth;
  private final int maxFieldCount;
  private final int maxStringLength;
  private final int maxNumberLength;
  private transient Keyring keyring;

  private HostileRecords(
      long seed, long count, int maxRecordBytes, int maxNestingDepth, int maxFieldCount,
      int maxStringLength, int maxNumberLength) {
    this.seed = seed;
    this.count = count;
    this.maxRecordBytes = maxRecordBytes;
    this.maxNestingDepth = maxNestingDepth;
    this.maxFieldCount = maxFieldCount;
    this.maxStringLength = maxStringLength;
    this.maxNumberLength = maxNumberLength;
  }

  /**
   * {@code count} records for a composite with these limits. The deterministic kinds need room:
   * {@code maxRecordBytes} at least 4 times {@code maxStringLength} plus 4 KiB (so a long string
   * stays within the record, even encrypted), and {@code maxNumberLength} at least 40 (so a
   * 39-digit total is a schema violation, not an oversized number).
   */
  public static HostileRecords of(
      long seed, long count, int maxRecordBytes, int maxNestingDepth, int maxFieldCount,
      int maxStringLength, int maxNumberLength) {
    if (maxRecordBytes < 4 * maxStringLength + 4096 || maxNumberLength < 40) {
      throw new IllegalArgumentException("limits too tight for the deterministic kinds");
    }
    return new HostileRecords(
        seed, count, maxRecordBytes, maxNestingDepth, maxFieldCount, maxStringLength, maxNumberLength);
  }

  public long count() {
    return count;
  }

  /** One record: its line and kind. */
  public record Hostile(long index, Kind kind, String line) implements Serializable {}

  /** The kind of record {@code index}, cheaply, without building it. */
  public Kind kind(long index) {
    Kind drawn = drawKind(index);
    if (drawn == Kind.DUPLICATE && duplicated(index) < 0) {
      return Kind.VALID;
    }
    return drawn;
  }

  /** How many records of each kind the corpus holds. */
  public Map<Kind, Long> kindCounts() {
    Map<Kind, Long> counts = new EnumMap<>(Kind.class);
    for (long i = 0; i < count; i++) {
      counts.merge(kind(i), 1L, Long::sum);
    }
    return counts;
  }

  /** The event id of record {@code index} (before any damage). */
  public static String eventId(long index) {
    long check = mix(index * 0x9E3779B97F4A7C15L + 12345L) & 0xFFFFFFFFL;
    return String.format("fz-%07d-%08x", index, check);
  }

  /** The index an event id of {@link #eventId} names, or -1. */
  public static long indexOf(String eventId) {
    if (eventId == null || !eventId.matches("fz-[0-9]{7}-[0-9a-f]{8}")) {
      return -1;
    }
    long index = Long.parseLong(eventId.substring(3, 10));
    return eventId(index).equals(eventId) ? index : -1;
  }

  /** Record {@code index}. */
  public Hostile record(long index) {
    Kind kind = kind(index);
    if (kind == Kind.DUPLICATE) {
      return new Hostile(index, kind, record(duplicated(index)).line());
    }
    SplittableRandom rng = rng(index, 1);
    return new Hostile(index, kind, build(kind, index, rng));
  }

  // ---- building ----------------------------------------------------------------------------

  private Kind drawKind(long index) {
    int w = rng(index, 0).nextInt(TOTAL_WEIGHT);
    for (Kind k : Kind.values()) {
      w -= k.weight;
      if (w < 0) {
        return k;
      }
    }
    throw new IllegalStateException();
  }

  /** The nearest VALID record before {@code index} within 200, or -1. */
  private long duplicated(long index) {
    for (long j = index - 1; j >= 0 && j >= index - 200; j--) {
      if (drawKind(j) == Kind.VALID) {
        return j;
      }
    }
    return -1;
  }

  private SplittableRandom rng(long index, int stream) {
    return new SplittableRandom(mix(seed * 31 + index * 0x9E3779B97F4A7C15L + stream));
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private Keyring keyring() {
    if (keyring == null) {
      keyring = TestKeyrings.keyring();
    }
    return keyring;
  }

  /** A valid envelope being damaged: its fields, payload and how the payload is written. */
  private final class Draft {
    final ObjectNode fields = Json.MAPPER.createObjectNode();
    ObjectNode payload;
    /** When set, the payload's text instead of {@code payload}. */
    String payloadText;
    /** When set, the plaintext bytes instead of either. */
    byte[] plaintext;
    boolean encrypted;
    String sealKeyId;
    String sealEventId;
    final Random iv;

    Draft(long index, SplittableRandom rng, boolean forceEncrypted) {
      String eventId = eventId(index);
      fields.put("event_id", eventId);
      fields.put("tenant", TENANTS[rng.nextInt(TENANTS.length)]);
      fields.put("source", "shop");
      fields.put("table", "orders");
      fields.put(
          "event_time",
          Instant.parse("2026-11-20T00:00:00Z").plusMillis(rng.nextLong(3L * 86_400_000L)).toString());
      encrypted = forceEncrypted || rng.nextInt(5) > 0;
      if (encrypted) {
        fields.put("key_id", rng.nextBoolean() ? TestKeyrings.K1 : TestKeyrings.K2);
      }
      payload = order(index, rng);
      sealKeyId = encrypted ? fields.get("key_id").textValue() : null;
      sealEventId = eventId;
      iv = new Random(rng.nextLong());
    }

    String text() {
      return payloadText != null ? payloadText : payload.toString();
    }

    byte[] bytes() {
      return plaintext != null ? plaintext : text().getBytes(StandardCharsets.UTF_8);
    }

    /** The payload text with one more member written verbatim, e.g. {@code "n":NaN}. */
    void addRawMember(String member) {
      String t = text();
      payloadText = t.substring(0, t.length() - 1) + "," + member + "}";
    }

    byte[] sealed() {
      return Base64.getDecoder().decode(keyring().encrypt(sealKeyId, sealEventId, bytes(), iv));
    }

    String line() {
      return lineWith(encrypted ? quoted(Base64.getEncoder().encodeToString(sealed())) : text());
    }

    /** The envelope with this JSON text as its payload value. */
    String lineWith(String payloadValue) {
      String head = fields.toString();
      return head.substring(0, head.length() - 1) + (fields.isEmpty() ? "" : ",")
          + "\"payload\":" + payloadValue + "}";
    }
  }

  private static ObjectNode order(long index, SplittableRandom rng) {
    ObjectNode order = Json.MAPPER.createObjectNode();
    order.put("order_id", "O-" + index);
    order.put("total", rng.nextInt(1_000_000) / 100 + "." + String.format("%02d", rng.nextInt(100)));
    order.put("status", STATUSES[rng.nextInt(STATUSES.length)]);
    order.putObject("customer").putObject("address").put("city", CITIES[rng.nextInt(CITIES.length)]);
    order.put("created_at", "2026-11-20T13:45:12.345Z");
    int items = rng.nextInt(4);
    if (items > 0) {
      ArrayNode array = order.putArray("items");
      for (int i = 1; i <= items; i++) {
        array.add(TestSchemas.item(i, "SKU-" + rng.nextInt(1000), 1 + rng.nextInt(5), rng.nextInt(10000) / 100.0 + ""));
      }
    }
    order.put("item_count", items);
    return order;
  }

  private static boolean needsEncryption(Kind kind) {
    switch (kind) {
      case TRUNCATED_PLAINTEXT:
      case INVALID_UTF8_PLAINTEXT:
      case FLIPPED_SEALED_BIT:
      case TRUNCATED_SEALED:
      case BAD_BASE64:
      case SEALED_FOR_OTHER_KEY_OR_EVENT:
      case UNKNOWN_KEY_ID:
      case PLAINTEXT_BIT_FLIPS:
        return true;
      default:
        return false;
    }
  }

  private String build(Kind kind, long index, SplittableRandom rng) {
    Draft d = new Draft(index, rng, needsEncryption(kind));
    switch (kind) {
      case VALID:
        return d.line();
      case UNICODE_VALUE:
        if (rng.nextBoolean() && d.payload.has("items")) {
          ((ObjectNode) d.payload.get("items").get(0)).put("sku", pick(rng, UNICODE_VALUES));
        } else {
          ((ObjectNode) d.payload.get("customer").get("address")).put("city", pick(rng, UNICODE_VALUES));
        }
        return d.line();
      case OVERSIZED_RECORD:
        d.payload.put("note", "n".repeat(maxRecordBytes + rng.nextInt(maxRecordBytes)));
        return d.line();
      case DEEP_PAYLOAD:
        d.payload.set("x", nested(maxNestingDepth + rng.nextInt(40), rng));
        return d.line();
      case DEEP_LINE:
        {
          int levels = maxNestingDepth + 2 + rng.nextInt(maxRecordBytes / 8);
          return rng.nextBoolean() ? "[".repeat(levels) : "{\"a\":".repeat(levels);
        }
      case TOO_MANY_VALUES:
        if (rng.nextBoolean()) {
          ArrayNode tags = d.payload.putArray("tags");
          for (int i = 0, n = maxFieldCount + rng.nextInt(maxFieldCount); i < n; i++) {
            tags.add(i);
          }
        } else {
          ObjectNode extra = d.payload.putObject("extra");
          for (int i = 0, n = maxFieldCount + rng.nextInt(maxFieldCount); i < n; i++) {
            extra.put("f" + i, i);
          }
        }
        return d.line();
      case LONG_STRING:
        d.payload.put("note", "s".repeat(maxStringLength + 1 + rng.nextInt(2 * maxStringLength)));
        return d.line();
      case LONG_FIELD_NAME:
        d.payload.put("k".repeat(maxStringLength + 1 + rng.nextInt(maxStringLength)), 1);
        return d.line();
      case LONG_NUMBER:
        {
          String digits = "9".repeat(maxNumberLength + 1 + rng.nextInt(8 * maxNumberLength));
          if (rng.nextBoolean()) {
            d.addRawMember("\"n\":" + digits);
          } else {
            d.payloadText = d.text().replaceFirst("\"total\":\"[0-9.]+\"", "\"total\":" + digits);
          }
          return d.line();
        }
      case HUGE_MAGNITUDE:
        {
          String huge = (rng.nextBoolean() ? "-" : "") + "1e" + (309 + rng.nextInt(999_999_000));
          if (rng.nextBoolean()) {
            d.addRawMember("\"n\":" + huge);
          } else {
            d.payloadText = d.text().replaceFirst("\"total\":\"[0-9.]+\"", "\"total\":" + huge);
          }
          return d.line();
        }
      case OUT_OF_RANGE_NUMBER:
        return outOfRangeNumber(d, rng);
      case WRONG_PAYLOAD_TYPE:
        wrongPayloadType(d, rng);
        return d.line();
      case NAN_OR_INFINITY:
        d.addRawMember((rng.nextBoolean() ? "\"n\":" : "\"total\":") + pick(rng, NON_FINITE));
        return d.line();
      case DUPLICATE_KEY:
        if (rng.nextBoolean()) {
          d.addRawMember("\"status\":\"PAID\"");
          return d.line();
        }
        return d.line().replaceFirst("\\{", "{\"tenant\":\"acme\",");
      case TRUNCATED_LINE:
        {
          String line = d.line();
          return line.substring(0, rng.nextInt(line.length()));
        }
      case TRUNCATED_PLAINTEXT:
        {
          byte[] plain = d.bytes();
          d.plaintext = Arrays.copyOf(plain, rng.nextInt(plain.length));
          return d.line();
        }
      case BYTE_ORDER_MARK:
        if (d.encrypted && rng.nextBoolean()) {
          d.payloadText = "\uFEFF" + d.text();
          return d.line();
        }
        return "\uFEFF" + d.line();
      case RAW_CONTROL_CHAR:
        {
          char c = CONTROL_CHARS[rng.nextInt(CONTROL_CHARS.length)];
          d.payloadText = d.text().replaceFirst("\"city\":\"", "\"city\":\"" + c);
          return d.line();
        }
      case LONE_SURROGATE:
        if (rng.nextInt(4) == 0) {
          // In the envelope itself.
          return d.line().replaceFirst("\"event_id\":\"fz-", "\"event_id\":\"\\\\ud800fz-");
        }
        d.addRawMember(pick(rng, LONE_SURROGATES));
        return d.line();
      case INVALID_UTF8_PLAINTEXT:
        {
          String text = d.text();
          int at = text.indexOf("\"city\":\"") + 8;
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          out.writeBytes(text.substring(0, at).getBytes(StandardCharsets.UTF_8));
          out.writeBytes(INVALID_UTF8[rng.nextInt(INVALID_UTF8.length)]);
          out.writeBytes(text.substring(at).getBytes(StandardCharsets.UTF_8));
          d.plaintext = out.toByteArray();
          return d.line();
        }
      case NOT_AN_OBJECT:
        {
          String line = d.line();
          switch (rng.nextInt(5)) {
            case 0:
              return "[" + line + "]";
            case 1:
              return TextNode.valueOf(line).toString();
            case 2:
              return "null";
            case 3:
              return String.valueOf(rng.nextLong());
            default:
              return "[]";
          }
        }
      case FLIPPED_SEALED_BIT:
        {
          byte[] sealed = d.sealed();
          sealed[rng.nextInt(sealed.length)] ^= (byte) (1 << rng.nextInt(8));
          return d.lineWith(quoted(Base64.getEncoder().encodeToString(sealed)));
        }
      case TRUNCATED_SEALED:
        {
          byte[] sealed = d.sealed();
          // At least one byte: an empty payload is a missing field, not a decryption failure.
          byte[] cut = Arrays.copyOf(sealed, rng.nextInt(1, sealed.length));
          return d.lineWith(quoted(Base64.getEncoder().encodeToString(cut)));
        }
      case BAD_BASE64:
        {
          String b64 = Base64.getEncoder().encodeToString(d.sealed());
          int at = rng.nextInt(b64.length());
          return d.lineWith(quoted(b64.substring(0, at) + pick(rng, new String[] {"!", "*", "%", " ", "-"}) + b64.substring(at)));
        }
      case SEALED_FOR_OTHER_KEY_OR_EVENT:
        if (rng.nextBoolean()) {
          d.sealKeyId = TestKeyrings.K1.equals(d.sealKeyId) ? TestKeyrings.K2 : TestKeyrings.K1;
        } else {
          d.sealEventId = eventId(index + 1);
        }
        return d.line();
      case UNKNOWN_KEY_ID:
        {
          String line = d.line();
          return line.replaceFirst("\"key_id\":\"k[12]\"", "\"key_id\":\"" + pick(rng, new String[] {"k9", "K1", "k1 ", "\u202Ek1"}) + "\"");
        }
      case BAD_ENVELOPE_NAME:
        d.fields.put(rng.nextBoolean() ? "tenant" : "table",
            rng.nextInt(4) == 0 ? "a".repeat(65 + rng.nextInt(500)) : pick(rng, BAD_NAMES));
        return d.line();
      case WRONG_ENVELOPE_TYPE:
        return wrongEnvelopeType(d, rng);
      case LONG_EVENT_ID:
        {
          String longId = d.fields.get("event_id").textValue() + "x".repeat(250 + rng.nextInt(3000));
          d.fields.put("event_id", longId);
          d.sealEventId = longId;
          return d.line();
        }
      case MISSING_ENVELOPE_FIELD:
        {
          String[] names = {"event_id", "tenant", "source", "table", "event_time", "payload"};
          String name = pick(rng, names);
          if (name.equals("payload")) {
            String head = d.fields.toString();
            return head;
          }
          if (rng.nextBoolean()) {
            d.fields.remove(name);
          } else {
            d.fields.set(name, rng.nextBoolean() ? NullNode.getInstance() : TextNode.valueOf(""));
          }
          return d.line();
        }
      case UNKNOWN_TABLE:
        d.fields.put("table", pick(rng, new String[] {"refunds", "order_items_v2", "x"}));
        return d.line();
      case LINE_BIT_FLIPS:
        {
          char[] chars = d.line().toCharArray();
          for (int i = 0, n = 1 + rng.nextInt(4); i < n; i++) {
            int at = rng.nextInt(chars.length);
            if (chars[at] < 0x80) {
              chars[at] ^= (char) (1 << rng.nextInt(7));
            }
          }
          return new String(chars);
        }
      case PLAINTEXT_BIT_FLIPS:
        {
          byte[] plain = d.bytes();
          for (int i = 0, n = 1 + rng.nextInt(4); i < n; i++) {
            plain[rng.nextInt(plain.length)] ^= (byte) (1 << rng.nextInt(8));
          }
          d.plaintext = plain;
          return d.line();
        }
      case GARBAGE:
        return garbage(rng);
      case SPLICED:
        {
          String a = d.line();
          String b = new Draft(index + count, rng(index, 2), false).line();
          return a.substring(0, rng.nextInt(a.length())) + b.substring(rng.nextInt(b.length()));
        }
      default:
        throw new IllegalStateException("unhandled kind " + kind);
    }
  }

  private static JsonNode nested(int levels, SplittableRandom rng) {
    JsonNode inner = IntNode.valueOf(1);
    for (int i = 0; i < levels; i++) {
      if (rng.nextBoolean()) {
        inner = Json.MAPPER.createArrayNode().add(inner);
      } else {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.set("n", inner);
        inner = o;
      }
    }
    return inner;
  }

  private String outOfRangeNumber(Draft d, SplittableRandom rng) {
    switch (rng.nextInt(4)) {
      case 0:
        d.payloadText = d.text().replaceFirst("\"total\":\"[0-9.]+\"", "\"total\":1e" + (37 + rng.nextInt(270)));
        break;
      case 1:
        d.payloadText = d.text().replaceFirst("\"total\":\"[0-9.]+\"", "\"total\":1e-" + (3 + rng.nextInt(999_999_900)));
        break;
      case 2:
        d.payloadText = d.text().replaceFirst("\"total\":\"[0-9.]+\"", "\"total\":1" + "0".repeat(38));
        break;
      default:
        d.payloadText = d.text().replaceFirst("\"item_count\":[0-9]+", "\"item_count\":" + (2_147_483_648L + rng.nextInt(1_000_000)));
        break;
    }
    return d.line();
  }

  private static void wrongPayloadType(Draft d, SplittableRandom rng) {
    ObjectNode p = d.payload;
    switch (rng.nextInt(10)) {
      case 0:
        p.put("total", true);
        break;
      case 1:
        p.put("total", "abc");
        break;
      case 2:
        p.putArray("total").add(1);
        break;
      case 3:
        p.putObject("total").put("a", 1);
        break;
      case 4:
        p.set("total", NullNode.getInstance());
        break;
      case 5:
        p.put("order_id", 5);
        break;
      case 6:
        p.put("item_count", "3");
        break;
      case 7:
        p.put("created_at", 123);
        break;
      case 8:
        p.put("items", "x");
        break;
      default:
        p.putArray("items").add(5);
        break;
    }
  }

  private static String wrongEnvelopeType(Draft d, SplittableRandom rng) {
    switch (rng.nextInt(6)) {
      case 0:
        d.fields.put("tenant", 5);
        return d.line();
      case 1:
        d.fields.set("event_time", BooleanNode.TRUE);
        return d.line();
      case 2:
        d.fields.putObject("source");
        return d.line();
      case 3:
        d.fields.put("event_time", "20 November 2026");
        return d.line();
      case 4:
        // An object payload where key_id says base64, or a number where an object is due.
        return d.encrypted ? d.lineWith("{}") : d.lineWith("42");
      default:
        d.fields.put("key_id", 7);
        return d.line();
    }
  }

  private static String garbage(SplittableRandom rng) {
    String alphabet = "{}[]\":,0123456789.eE+-truefalsnl \\u\u00e9\u4e2d\ud83d\ude00\u0000\uFEFF";
    StringBuilder b = new StringBuilder();
    for (int i = 0, n = rng.nextInt(200); i < n; i++) {
      b.append(alphabet.charAt(rng.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static String quoted(String text) {
    return "\"" + text + "\"";
  }

  private static String pick(SplittableRandom rng, String[] values) {
    return values[rng.nextInt(values.length)];
  }
}
