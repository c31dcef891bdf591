package io.beamline.transforms;

import java.io.Serializable;
import java.util.Arrays;
import org.joda.time.Duration;

/**
 * The moment of event time after which a record is too late for the fixed windows it falls in:
 * the earliest end of those windows plus the allowed lateness. A window grouping drops a record
 * once the watermark has passed this deadline; Beamline decides the same thing earlier, where the
 * watermark is made, and sends such records to the dead-letter zone instead.
 */
public final class EventTimeDeadline implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long[] windowMillis;
  private final long latenessMillis;

  private EventTimeDeadline(long[] windowMillis, long latenessMillis) {
    this.windowMillis = windowMillis;
    this.latenessMillis = latenessMillis;
  }

  /**
   * A deadline for records that are grouped into fixed windows of each of {@code windowSizes}
   * (aligned to the epoch, like Beam's {@code FixedWindows}), each with {@code allowedLateness}.
   */
  public static EventTimeDeadline of(Duration allowedLateness, Duration... windowSizes) {
    if (allowedLateness.getMillis() < 0) {
      throw new IllegalArgumentException("allowed lateness must not be negative");
    }
    if (windowSizes.length == 0) {
      throw new IllegalArgumentException("at least one window size is needed");
    }
    long[] sizes = Arrays.stream(windowSizes).mapToLong(Duration::getMillis).toArray();
    for (long size : sizes) {
      if (size <= 0) {
        throw new IllegalArgumentException("window sizes must be positive");
      }
    }
    return new EventTimeDeadline(sizes, allowedLateness.getMillis());
  }

  /**
   * The last watermark at which a record of this event time is still on time or late within the
   * allowed lateness: the smallest window's last millisecond plus the lateness.
   */
  public long deadlineMillis(long eventTimeMillis) {
    long earliestEnd = Long.MAX_VALUE;
    for (long size : windowMillis) {
      long end = Math.floorDiv(eventTimeMillis, size) * size + size;
      earliestEnd = Math.min(earliestEnd, end);
    }
    return earliestEnd - 1 + latenessMillis;
  }

  /** Whether a record of this event time is too late once the watermark is at {@code watermarkMillis}. */
  public boolean isPast(long eventTimeMillis, long watermarkMillis) {
    return deadlineMillis(eventTimeMillis) < watermarkMillis;
  }

  public Duration allowedLateness() {
    return Duration.millis(latenessMillis);
  }
}
