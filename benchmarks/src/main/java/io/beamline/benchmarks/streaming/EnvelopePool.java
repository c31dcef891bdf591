package io.beamline.benchmarks.streaming;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The generated sample as a source of live envelopes. A sample is finite and its event times lie
 * in the past, while a rate step needs fresh events "now", each with an event_id of its own (the
 * stream drops a repeated event_id as a duplicate). So each envelope the producer takes is made at
 * send time from a sample line:
 *
 * <ul>
 *   <li>a line whose envelope is well formed gets a new event_id and event_time = the send time;
 *       an encrypted payload is decrypted once at load and sealed again at send time (AES-GCM binds
 *       the event_id as additional data, so a copy under a new id must be re-encrypted, as a real
 *       producer would), an unencrypted payload is kept byte for byte;
 *   <li>any other line (the sample's bad envelopes, payloads that do not decrypt, oversized lines)
 *       is sent byte for byte, with only a well-formed event_time replaced, so it is rejected for
 *       the same reason as in the batch run.
 * </ul>
 *
 * A new event_id is {@code <prefix>-<sequence>-<send millis>}: whoever reads an etl row back knows
 * from its key alone when its envelope was sent. Not thread-safe: one producer thread.
 */
final class EnvelopePool {
  /** Larger lines are the sample's deliberately oversized ones: never rebuilt (size would change). */
  private static final int MAX_REBUILT_LINE = 64 * 1024;
  private static final Set<String> ENVELOPE_FIELDS =
      Set.of("event_id", "tenant", "source", "table", "event_time", "key_id", "payload");
  private static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,64}");
  private static final Pattern EVENT_TIME =
      Pattern.compile("\"event_time\":\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z\"");
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  /** A message to send: its key (null for lines sent as they are) and value. */
  record Message(String key, byte[] value, boolean rebuilt) {}

  private sealed interface Template permits Sealed, Plain, AsIs {}

  /** A well-formed envelope with an encrypted payload: re-sealed under each new event_id. */
  private record Sealed(String head, String keyId, SecretKeySpec key, byte[] plaintext) implements Template {}

  /** A well-formed envelope with its payload in clear: the line around event_id and event_time. */
  private record Plain(String beforeId, String betweenIdAndTime, String afterTime) implements Template {}

  /** Any other line: sent as is, a well-formed event_time (if exactly one) replaced. */
  private record AsIs(String latin1Before, String latin1After, byte[] bytes) implements Template {}

  private final List<Template> templates;
  private final String prefix;
  private final SecureRandom random = new SecureRandom();
  private final Cipher cipher;
  private long sequence;
  private int next;

  private EnvelopePool(List<Template> templates, String prefix) {
    if (templates.isEmpty()) {
      throw new IllegalArgumentException("the sample has no lines");
    }
    this.templates = templates;
    this.prefix = prefix;
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Loads the sample's lines (file by file, in order) and the payload keys of its keyring.
   * {@code prefix} starts every new event_id; it must not contain '-'.
   */
  static EnvelopePool load(List<Path> files, Path keyringPath, String prefix) throws IOException {
    if (prefix.isEmpty() || prefix.contains("-")) {
      throw new IllegalArgumentException("event_id prefix must be non-empty without '-': " + prefix);
    }
    Map<String, PayloadKey> keys = payloadKeys(keyringPath);
    List<Template> templates = new ArrayList<>();
    for (Path file : files) {
      for (byte[] line : lines(Files.readAllBytes(file))) {
        templates.add(template(line, keys));
      }
    }
    return new EnvelopePool(templates, prefix);
  }

  int size() {
    return templates.size();
  }

  /** The sequence number the next rebuilt envelope gets. */
  long nextSequence() {
    return sequence;
  }

  /** How many of the lines get a new event_id (the rest are sent as they are). */
  long rebuiltLines() {
    return templates.stream().filter(t -> !(t instanceof AsIs)).count();
  }

  /** The next line of the sample (round robin) as an envelope sent at {@code nowMillis}. */
  Message next(long nowMillis) {
    Template t = templates.get(next);
    next = (next + 1) % templates.size();
    String time = Instant.ofEpochMilli(nowMillis).toString();
    if (t instanceof AsIs a) {
      if (a.latin1Before == null) {
        return new Message(null, a.bytes, false);
      }
      String line = a.latin1Before + "\"event_time\":\"" + time + "\"" + a.latin1After;
      return new Message(null, line.getBytes(StandardCharsets.ISO_8859_1), false);
    }
    String id = prefix + "-" + (sequence++) + "-" + nowMillis;
    if (t instanceof Plain p) {
      String line = p.beforeId + id + p.betweenIdAndTime + time + p.afterTime;
      return new Message(id, line.getBytes(StandardCharsets.UTF_8), true);
    }
    Sealed s = (Sealed) t;
    String line =
        "{\"event_id\":\"" + id + "\"," + s.head + ",\"event_time\":\"" + time + "\",\"key_id\":\""
            + s.keyId + "\",\"payload\":\"" + seal(s.key, id, s.plaintext) + "\"}";
    return new Message(id, line.getBytes(StandardCharsets.UTF_8), true);
  }

  /** When an envelope with this event_id was sent, or -1 if the id is not one of ours. */
  static long sentAtMillis(String eventId, String prefix) {
    if (eventId == null || !eventId.startsWith(prefix + "-")) {
      return -1;
    }
    int dash = eventId.lastIndexOf('-');
    try {
      return Long.parseLong(eventId, dash + 1, eventId.length(), 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The sequence number in an event_id of ours, or -1. */
  static long sequenceOf(String eventId, String prefix) {
    if (eventId == null || !eventId.startsWith(prefix + "-")) {
      return -1;
    }
    int from = prefix.length() + 1;
    int dash = eventId.indexOf('-', from);
    try {
      return dash < 0 ? -1 : Long.parseLong(eventId, from, dash, 10);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String seal(SecretKeySpec key, String eventId, byte[] plaintext) {
    try {
      byte[] iv = new byte[12];
      random.nextBytes(iv);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
      cipher.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[iv.length + cipher.getOutputSize(plaintext.length)];
      System.arraycopy(iv, 0, out, 0, iv.length);
      cipher.doFinal(plaintext, 0, plaintext.length, out, iv.length);
      return Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      // Never the key or the plaintext in the message.
      throw new IllegalStateException("AES-GCM encryption failed: " + e.getClass().getSimpleName());
    }
  }

  private record PayloadKey(SecretKeySpec spec, String tenant) {}

  /** The keyring's payload keys (pii keys left out); key bytes stay in the specs. */
  private static Map<String, PayloadKey> payloadKeys(Path keyringPath) throws IOException {
    JsonNode root = STRICT.readTree(Files.readAllBytes(keyringPath));
    Map<String, PayloadKey> keys = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode v = e.getValue();
      String b64;
      String tenant = null;
      if (v.isTextual()) {
        b64 = v.textValue();
      } else if (v.isObject() && v.path("key").isTextual() && !"pii".equals(v.path("purpose").asText(""))) {
        b64 = v.get("key").textValue();
        tenant = v.hasNonNull("tenant") ? v.get("tenant").asText() : null;
      } else {
        continue;
      }
      keys.put(e.getKey(), new PayloadKey(new SecretKeySpec(Base64.getDecoder().decode(b64), "AES"), tenant));
    }
    return keys;
  }

  private static Template template(byte[] line, Map<String, PayloadKey> keys) {
    Template rebuilt = line.length <= MAX_REBUILT_LINE ? rebuilt(line, keys) : null;
    return rebuilt != null ? rebuilt : asIs(line);
  }

  private static Template asIs(byte[] line) {
    String latin1 = new String(line, StandardCharsets.ISO_8859_1);
    Matcher m = EVENT_TIME.matcher(latin1);
    if (m.find()) {
      int start = m.start();
      int end = m.end();
      if (!m.find()) {
        return new AsIs(latin1.substring(0, start), latin1.substring(end), line);
      }
    }
    return new AsIs(null, null, line);
  }

  /** The template of a well-formed envelope, or null when the line is not one. */
  private static Template rebuilt(byte[] line, Map<String, PayloadKey> keys) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(line))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    JsonNode root;
    try {
      root = STRICT.readTree(text);
    } catch (IOException e) {
      return null;
    }
    if (root == null || !root.isObject()) {
      return null;
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      if (!ENVELOPE_FIELDS.contains(names.next())) {
        return null;
      }
    }
    String id = textOrNull(root, "event_id");
    String tenant = textOrNull(root, "tenant");
    String source = textOrNull(root, "source");
    String table = textOrNull(root, "table");
    String time = textOrNull(root, "event_time");
    if (id == null || id.isEmpty() || tenant == null || source == null || table == null || time == null
        || !NAME.matcher(tenant).matches() || !NAME.matcher(source).matches()
        || !NAME.matcher(table).matches() || !parses(time)) {
      return null;
    }
    JsonNode payload = root.get("payload");
    JsonNode keyId = root.get("key_id");
    if (keyId == null && payload != null && payload.isObject()) {
      // Keep the payload's bytes: only the two values are cut out of the line.
      String idField = "\"event_id\":" + STRICT.valueToTree(id);
      String timeField = "\"event_time\":" + STRICT.valueToTree(time);
      int i = text.indexOf(idField);
      int t = text.indexOf(timeField);
      if (i < 0 || t < i || text.indexOf(idField, i + 1) >= 0 || text.indexOf(timeField, t + 1) >= 0) {
        return null;
      }
      return new Plain(
          text.substring(0, i) + "\"event_id\":\"",
          "\"" + text.substring(i + idField.length(), t) + "\"event_time\":\"",
          "\"" + text.substring(t + timeField.length()));
    }
    if (keyId == null || !keyId.isTextual() || payload == null || !payload.isTextual()) {
      return null;
    }
    PayloadKey key = keys.get(keyId.textValue());
    if (key == null || (key.tenant() != null && !key.tenant().equals(tenant))) {
      return null;
    }
    byte[] plaintext = open(key.spec(), id, payload.textValue());
    if (plaintext == null) {
      return null;
    }
    String head =
        "\"tenant\":\"" + tenant + "\",\"source\":\"" + source + "\",\"table\":\"" + table + "\"";
    return new Sealed(head, keyId.textValue(), key.spec(), plaintext);
  }

  private static byte[] open(SecretKeySpec key, String eventId, String base64) {
    try {
      byte[] sealed = Base64.getDecoder().decode(base64);
      if (sealed.length < 12 + 16) {
        return null;
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, sealed, 0, 12));
      c.updateAAD(eventId.getBytes(StandardCharsets.UTF_8));
      return c.doFinal(sealed, 12, sealed.length - 12);
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return null; // a line meant to fail decryption: sent as it is
    }
  }

  private static boolean parses(String time) {
    try {
      Instant.parse(time);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String textOrNull(JsonNode root, String field) {
    JsonNode n = root.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  /** The non-blank lines of a file, without line ends. */
  static List<byte[]> lines(byte[] bytes) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        int end = i > start && bytes[i - 1] == '\r' ? i - 1 : i;
        boolean blank = true;
        for (int k = start; k < end && blank; k++) {
          blank = bytes[k] == ' ' || bytes[k] == '\t';
        }
        if (!blank) {
          byte[] line = new byte[end - start];
          System.arraycopy(bytes, start, line, 0, line.length);
          out.add(line);
        }
        start = i + 1;
      }
    }
    return out;
  }
}
