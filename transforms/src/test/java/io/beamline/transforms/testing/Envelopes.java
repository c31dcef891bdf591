package io.beamline.transforms.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.model.Envelope;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * An immutable builder of input envelope lines (one JSON object per line). Every {@code with...}
 * method returns a new builder, so a base envelope can be shared and varied.
 *
 * <p>{@link #envelope()} starts from a valid event of {@link TestSchemas#shop()}: event_id
 * {@value #EVENT_ID}, tenant {@value #TENANT}, source {@value #SOURCE}, table {@value #TABLE},
 * event_time {@value #EVENT_TIME}, key_id {@value #KEY_ID}, payload the order {@code O-1} of
 * {@link TestSchemas#order(String)}, AES-256-GCM encrypted with {@link TestKeyrings#keyring()}.
 *
 * <p>The payload is sealed for the envelope's event_id (or {@link #sealedForEventId}), or for
 * {@value #EVENT_ID} when the envelope has no string event_id.
 *
 * <p>Fields are written in the order event_id, tenant, source, table, event_time, key_id, payload;
 * any field can be omitted ({@link #without}) or replaced by any JSON value ({@link #with}). The
 * IV comes from a {@link Random} seeded by {@link #ivSeed(long)} and the sealing event id, so the
 * same builder always produces the same line.
 */
public final class Envelopes {
  public static final String EVENT_ID = "evt-0001";
  public static final String TENANT = "acme";
  public static final String SOURCE = "shop";
  public static final String TABLE = "orders";
  public static final String EVENT_TIME = "2026-11-20T13:45:12.345Z";
  public static final String KEY_ID = TestKeyrings.K1;

  private static final String PAYLOAD = "payload";
  private static final String KEY_ID_FIELD = "key_id";
  private static final String EVENT_ID_FIELD = "event_id";

  private final Keyring keyring;
  /** Envelope fields in output order; the value of "payload" is a placeholder. */
  private final Map<String, JsonNode> fields;
  /** The payload's plaintext: encrypted when key_id is set, embedded as JSON otherwise. */
  private final byte[] plaintext;
  /** When set, written as the payload verbatim: no encryption. */
  private final JsonNode rawPayload;
  /** Key id to seal with, when it is not the envelope's key_id. */
  private final String sealKeyId;
  /** Event id sealed in as additional authenticated data, when it is not the envelope's. */
  private final String aadEventId;
  private final long ivSeed;
  /** Indexes of bytes of {@code iv || ciphertext || tag} to flip; negative counts from the end. */
  private final List<Integer> flips;

  private Envelopes(
      Keyring keyring,
      Map<String, JsonNode> fields,
      byte[] plaintext,
      JsonNode rawPayload,
      String sealKeyId,
      String aadEventId,
      long ivSeed,
      List<Integer> flips) {
    this.keyring = keyring;
    this.fields = Collections.unmodifiableMap(fields);
    this.plaintext = plaintext;
    this.rawPayload = rawPayload;
    this.sealKeyId = sealKeyId;
    this.aadEventId = aadEventId;
    this.ivSeed = ivSeed;
    this.flips = List.copyOf(flips);
  }

  /** A valid encrypted envelope of the order {@code O-1} (see the class comment). */
  public static Envelopes envelope() {
    Map<String, JsonNode> fields = new LinkedHashMap<>();
    fields.put(EVENT_ID_FIELD, TextNode.valueOf(EVENT_ID));
    fields.put("tenant", TextNode.valueOf(TENANT));
    fields.put("source", TextNode.valueOf(SOURCE));
    fields.put("table", TextNode.valueOf(TABLE));
    fields.put("event_time", TextNode.valueOf(EVENT_TIME));
    fields.put(KEY_ID_FIELD, TextNode.valueOf(KEY_ID));
    fields.put(PAYLOAD, TextNode.valueOf(""));
    return new Envelopes(
        TestKeyrings.keyring(),
        fields,
        utf8(TestSchemas.order("O-1").toString()),
        null,
        null,
        null,
        0L,
        List.of());
  }

  // ---- envelope fields -------------------------------------------------------------------

  public Envelopes eventId(String eventId) {
    return with(EVENT_ID_FIELD, eventId);
  }

  public Envelopes tenant(String tenant) {
    return with("tenant", tenant);
  }

  public Envelopes source(String source) {
    return with("source", source);
  }

  public Envelopes table(String table) {
    return with("table", table);
  }

  public Envelopes eventTime(String eventTime) {
    return with("event_time", eventTime);
  }

  /** Sets key_id; the payload is encrypted with that key of the keyring. */
  public Envelopes keyId(String keyId) {
    return with(KEY_ID_FIELD, keyId);
  }

  /** No key_id: the payload is written as the JSON object itself. */
  public Envelopes unencrypted() {
    return without(KEY_ID_FIELD);
  }

  /** Sets (or adds, at the end) a field to a string value; for "payload", see {@link #rawPayload(String)}. */
  public Envelopes with(String field, String value) {
    return with(field, value == null ? Json.MAPPER.nullNode() : TextNode.valueOf(value));
  }

  /**
   * Sets (or adds, at the end) a field to any JSON value: a number, null, an object... Setting
   * "payload" this way is {@link #rawPayload(JsonNode)}.
   */
  public Envelopes with(String field, JsonNode value) {
    if (PAYLOAD.equals(field)) {
      return rawPayload(value);
    }
    Map<String, JsonNode> copy = new LinkedHashMap<>(fields);
    copy.put(field, value == null ? Json.MAPPER.nullNode() : value.deepCopy());
    return new Envelopes(keyring, copy, plaintext, rawPayload, sealKeyId, aadEventId, ivSeed, flips);
  }

  /** Leaves a field out of the line altogether (including "payload"). */
  public Envelopes without(String field) {
    Map<String, JsonNode> copy = new LinkedHashMap<>(fields);
    copy.remove(field);
    return new Envelopes(keyring, copy, plaintext, rawPayload, sealKeyId, aadEventId, ivSeed, flips);
  }

  // ---- payload -----------------------------------------------------------------------------

  /** The payload's plaintext as JSON text, encrypted if key_id is set (need not be valid JSON then). */
  public Envelopes payload(String plaintextJson) {
    return payloadBytes(utf8(plaintextJson));
  }

  /** The payload's plaintext as a JSON value. */
  public Envelopes payload(JsonNode plaintextJson) {
    return payload(plaintextJson.toString());
  }

  /** The payload's plaintext as bytes, for example bytes that are not UTF-8. */
  public Envelopes payloadBytes(byte[] plaintextBytes) {
    Map<String, JsonNode> copy = withPayloadSlot();
    return new Envelopes(
        keyring, copy, plaintextBytes.clone(), null, sealKeyId, aadEventId, ivSeed, flips);
  }

  /** Writes this string as the payload exactly, without encryption (e.g. invalid base64). */
  public Envelopes rawPayload(String payloadText) {
    return rawPayload(TextNode.valueOf(payloadText));
  }

  /** Writes this JSON value as the payload exactly, without encryption, whatever key_id says. */
  public Envelopes rawPayload(JsonNode payloadValue) {
    Map<String, JsonNode> copy = withPayloadSlot();
    JsonNode value = payloadValue == null ? Json.MAPPER.nullNode() : payloadValue.deepCopy();
    return new Envelopes(keyring, copy, plaintext, value, sealKeyId, aadEventId, ivSeed, flips);
  }

  // ---- encryption --------------------------------------------------------------------------

  /** The keyring payloads are sealed with (default {@link TestKeyrings#keyring()}). */
  public Envelopes keyring(Keyring sealingKeyring) {
    return new Envelopes(
        sealingKeyring, new LinkedHashMap<>(fields), plaintext, rawPayload, sealKeyId, aadEventId,
        ivSeed, flips);
  }

  /** Seals with this key id of the keyring, whatever key_id the envelope names. */
  public Envelopes sealedWithKeyId(String keyId) {
    return new Envelopes(
        keyring, new LinkedHashMap<>(fields), plaintext, rawPayload, keyId, aadEventId, ivSeed,
        flips);
  }

  /**
   * Seals the payload for another event id (the additional authenticated data), as if the payload
   * of that event had been moved into this envelope.
   */
  public Envelopes sealedForEventId(String eventId) {
    return new Envelopes(
        keyring, new LinkedHashMap<>(fields), plaintext, rawPayload, sealKeyId, eventId, ivSeed,
        flips);
  }

  /** Seed of the IV; two envelopes differing only in the seed carry different ciphertexts. */
  public Envelopes ivSeed(long seed) {
    return new Envelopes(
        keyring, new LinkedHashMap<>(fields), plaintext, rawPayload, sealKeyId, aadEventId, seed,
        flips);
  }

  /** Flips one bit of byte {@code index} of {@code iv || ciphertext || tag}; negative from the end. */
  public Envelopes flipSealedByte(int index) {
    List<Integer> more = new ArrayList<>(flips);
    more.add(index);
    return new Envelopes(
        keyring, new LinkedHashMap<>(fields), plaintext, rawPayload, sealKeyId, aadEventId, ivSeed,
        more);
  }

  /** Tampers with the first byte of the IV. */
  public Envelopes tamperIv() {
    return flipSealedByte(0);
  }

  /** Tampers with the first byte of the ciphertext (just after the 12-byte IV). */
  public Envelopes tamperCiphertext() {
    return flipSealedByte(12);
  }

  /** Tampers with the last byte of the 16-byte authentication tag. */
  public Envelopes tamperTag() {
    return flipSealedByte(-1);
  }

  // ---- results -----------------------------------------------------------------------------

  /** The envelope as one JSON line. */
  public String line() {
    try {
      return Json.MAPPER.writeValueAsString(json());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The envelope as a JSON object (a fresh copy). */
  public ObjectNode json() {
    ObjectNode out = Json.MAPPER.createObjectNode();
    for (Map.Entry<String, JsonNode> f : fields.entrySet()) {
      out.set(f.getKey(), PAYLOAD.equals(f.getKey()) ? payloadNode() : f.getValue().deepCopy());
    }
    return out;
  }

  /** The payload field's value as the line carries it. */
  public JsonNode payloadNode() {
    if (rawPayload != null) {
      return rawPayload.deepCopy();
    }
    if (isEncrypted()) {
      return TextNode.valueOf(sealedPayload());
    }
    try {
      return Json.MAPPER.readTree(new String(plaintext, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "an unencrypted payload must be JSON; use rawPayload(...) for anything else", e);
    }
  }

  /**
   * The base64 of {@code iv || ciphertext || tag} for the plaintext, sealed with the sealing key id
   * (default: key_id) and event id (default: event_id), with any tampering applied.
   */
  public String sealedPayload() {
    String keyId = sealKeyId != null ? sealKeyId : text(KEY_ID_FIELD);
    String eventId = aadEventId != null ? aadEventId : text(EVENT_ID_FIELD);
    if (eventId == null) {
      // No usable event_id in the envelope (left out, or not a string): seal for the default one.
      eventId = EVENT_ID;
    }
    if (keyId == null) {
      throw new IllegalStateException("sealing needs a key id: set keyId or sealedWithKeyId");
    }
    Random iv = new Random(ivSeed * 1_000_003L + eventId.hashCode());
    String sealed = keyring.encrypt(keyId, eventId, plaintext, iv);
    if (flips.isEmpty()) {
      return sealed;
    }
    byte[] bytes = Base64.getDecoder().decode(sealed);
    for (int index : flips) {
      int i = index < 0 ? bytes.length + index : index;
      bytes[i] ^= 0x01;
    }
    return Base64.getEncoder().encodeToString(bytes);
  }

  /** The payload's plaintext bytes. */
  public byte[] plaintext() {
    return plaintext.clone();
  }

  /** The payload's plaintext as text. */
  public String plaintextJson() {
    return new String(plaintext, StandardCharsets.UTF_8);
  }

  /** True when the payload is written encrypted: key_id is a string and no raw payload is set. */
  public boolean isEncrypted() {
    return rawPayload == null && text(KEY_ID_FIELD) != null;
  }

  /** The string value of a field, or null when it is absent or not a string. */
  public String text(String field) {
    JsonNode node = fields.get(field);
    return node != null && node.isTextual() ? node.textValue() : null;
  }

  /** event_time in epoch milliseconds (UTC). */
  public long eventTimeMillis() {
    return OffsetDateTime.parse(text("event_time"), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
        .toInstant()
        .toEpochMilli();
  }

  /**
   * The {@link Envelope} a well-formed line parses into, built from this builder's fields directly
   * (not through ParseEnvelope), with {@link #line()} as raw.
   */
  public Envelope toEnvelope() {
    JsonNode payload = payloadNode();
    String keyId = text(KEY_ID_FIELD);
    return new Envelope(
        text(EVENT_ID_FIELD),
        text("tenant"),
        text("source"),
        text("table"),
        eventTimeMillis(),
        keyId,
        keyId != null ? payload.textValue() : payload.toString(),
        line());
  }

  @Override
  public String toString() {
    return "Envelopes{" + fields.keySet() + " encrypted=" + isEncrypted() + "}";
  }

  private Map<String, JsonNode> withPayloadSlot() {
    Map<String, JsonNode> copy = new LinkedHashMap<>(fields);
    copy.putIfAbsent(PAYLOAD, TextNode.valueOf(""));
    return copy;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
