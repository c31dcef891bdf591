package io.beamline.transforms.testing;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptor;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Dead letters in a form tests can compare exactly, leaving out the wall-clock rejection time:
 * {@code "stage|REASON|detail|eventId|tenant"}, with {@code null} for unknown fields.
 */
public final class DeadLetterSummary {
  private DeadLetterSummary() {}

  /** The summary of a dead letter. */
  public static String of(DeadLetter d) {
    return of(d.stage(), d.reason(), d.detail(), d.eventId(), d.tenant());
  }

  /** The summary a dead letter with these fields has, for expectations. */
  public static String of(
      String stage, DeadLetterReason reason, String detail, String eventId, String tenant) {
    return stage + "|" + reason.name() + "|" + detail + "|" + eventId + "|" + tenant;
  }

  /** Maps dead letters to their summaries, for {@code PAssert.that(...).containsInAnyOrder}. */
  public static MapElements<DeadLetter, String> summarize() {
    return MapElements.into(TypeDescriptors.strings()).via(DeadLetterSummary::of);
  }

  /** The same dead letters with rejection time 0, to compare every other field with equals. */
  public static MapElements<DeadLetter, DeadLetter> atTimeZero() {
    return MapElements.into(TypeDescriptor.of(DeadLetter.class))
        .via((DeadLetter d) -> d.withRejectedAtMillis(0));
  }
}
