package io.beamline.pipelines.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import java.io.UncheckedIOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a report shows of one dead letter: reason, stage, identity and the detail, never the
 * record itself ({@code raw} holds encrypted payloads). The detail and event id are cleaned
 * besides: anything that looks like key material or ciphertext (a long base64 token mixing
 * digits, upper and lower case) is replaced by {@value #REDACTED}, control characters are
 * dropped, and long text is cut.
 */
public record DeadLetterExample(
    String reason, String stage, String eventId, String tenant, String source, String table, String detail) {
  public static final String REDACTED = "[redacted]";
  static final int MAX_DETAIL = 240;
  static final int MAX_ID = 64;

  /** A base64 (or base64url) token long enough to be a key (44 characters for AES-256) or ciphertext. */
  private static final Pattern BASE64_TOKEN = Pattern.compile("[A-Za-z0-9+/_-]{20,}={0,2}");

  /** The example of a dead letter, cleaned as above. */
  public static DeadLetterExample of(DeadLetter d) {
    return new DeadLetterExample(
        d.reason().name(),
        d.stage(),
        clean(d.eventId(), MAX_ID),
        clean(d.tenant(), MAX_ID),
        clean(d.source(), MAX_ID),
        clean(d.table(), MAX_ID),
        clean(d.detail(), MAX_DETAIL));
  }

  /** {@code text} without secret-looking tokens and control characters, at most {@code max} characters. */
  static String clean(String text, int max) {
    if (text == null) {
      return null;
    }
    Matcher m = BASE64_TOKEN.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(looksSecret(m.group()) ? REDACTED : m.group()));
    }
    m.appendTail(out);
    String plain = out.toString().replaceAll("\\p{Cntrl}", " ");
    return plain.length() <= max ? plain : plain.substring(0, max - 1) + "…";
  }

  /** Field names and ids are lowercase or digits; random base64 mixes digits with both cases. */
  private static boolean looksSecret(String token) {
    return token.chars().anyMatch(Character::isDigit)
        && token.chars().anyMatch(Character::isUpperCase)
        && token.chars().anyMatch(Character::isLowerCase);
  }

  public ObjectNode toJson() {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("reason", reason);
    o.put("stage", stage);
    o.put("event_id", eventId);
    o.put("tenant", tenant);
    o.put("source", source);
    o.put("table", table);
    o.put("detail", detail);
    return o;
  }

  /** One line of JSON, the form examples travel in through the pipeline. */
  public String toJsonText() {
    try {
      return Json.MAPPER.writeValueAsString(toJson());
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  static DeadLetterExample fromJson(JsonNode o) {
    return new DeadLetterExample(
        text(o, "reason"), text(o, "stage"), text(o, "event_id"), text(o, "tenant"), text(o, "source"),
        text(o, "table"), text(o, "detail"));
  }

  private static String text(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
