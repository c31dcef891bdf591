package io.beamline.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.Json;
import io.beamline.transforms.model.DeadLetter;
import java.time.Instant;

/**
 * The dlq zone's line format: one JSON object per rejected record with stage, reason, detail,
 * what is known of the envelope, the rejection time, and the record exactly as received ({@code
 * raw}, or {@code raw_base64} for bytes that are not UTF-8).
 */
public final class DeadLetterJson {
  private DeadLetterJson() {}

  public static String format(DeadLetter d) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("stage", d.stage());
    o.put("reason", d.reason().name());
    o.put("detail", d.detail());
    o.put("event_id", d.eventId());
    o.put("tenant", d.tenant());
    o.put("source", d.source());
    o.put("table", d.table());
    o.put(
        "event_time",
        d.eventTimeMillis() == null ? null : Instant.ofEpochMilli(d.eventTimeMillis()).toString());
    o.put("rejected_at", Instant.ofEpochMilli(d.rejectedAtMillis()).toString());
    if (d.rawBase64() != null) {
      o.put("raw_base64", d.rawBase64());
    } else {
      o.put("raw", d.raw());
    }
    return o.toString();
  }
}
