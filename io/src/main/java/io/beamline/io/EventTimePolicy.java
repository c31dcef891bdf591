package io.beamline.io;

import io.beamline.transforms.EventTimeDeadline;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Timestamps a partition's records with their {@code event_time} under a watermark that trails
 * the largest event time by the allowed out-of-orderness (never ahead of the clock, advanced to
 * the clock when the partition is idle, as Beam's {@code CustomTimestampPolicyWithLimitedDelay}).
 *
 * <p>Two kinds of record are stamped with the highest watermark reported so far instead, so that
 * no window grouping downstream can drop them unseen: records whose event time is already past
 * its {@link EventTimeDeadline} (they become {@code LATE_DATA} dead letters), and records without
 * an event time that parses (they become dead letters of the envelope check). Neither moves the
 * watermark.
 */
final class EventTimePolicy extends TimestampPolicy<byte[], byte[]> {
  private final Duration maxDelay;
  private final EventTimeDeadline deadline;
  private Instant maxEventTime;
  private Instant highestWatermark;

  EventTimePolicy(Duration maxDelay, EventTimeDeadline deadline, Optional<Instant> previousWatermark) {
    this.maxDelay = maxDelay;
    this.deadline = deadline;
    this.highestWatermark = previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE);
    this.maxEventTime = highestWatermark.plus(maxDelay);
  }

  @Override
  public Instant getTimestampForRecord(PartitionContext ctx, KafkaRecord<byte[], byte[]> record) {
    // Judged against the watermark as it stands now, whether or not the runner has asked for it
    // yet: what the runner was told is never more, so an on-time record is on time downstream too.
    watermarkAt(ctx, Instant.now());
    Instant eventTime = ReadEnvelopesFromKafka.eventTimeOf(record);
    if (eventTime == null) {
      Instant kafkaTime = new Instant(record.getTimestamp());
      return kafkaTime.isBefore(highestWatermark) ? highestWatermark : kafkaTime;
    }
    if (deadline != null && deadline.isPast(eventTime.getMillis(), highestWatermark.getMillis())) {
      return highestWatermark;
    }
    if (eventTime.isAfter(maxEventTime)) {
      maxEventTime = eventTime;
    }
    return eventTime;
  }

  @Override
  public Instant getWatermark(PartitionContext ctx) {
    return watermarkAt(ctx, Instant.now());
  }

  Instant watermarkAt(PartitionContext ctx, Instant now) {
    Instant watermark;
    if (maxEventTime.isAfter(now)) {
      watermark = now.minus(maxDelay);
    } else if (ctx.getMessageBacklog() == 0
        && ctx.getBacklogCheckTime().minus(maxDelay).isAfter(maxEventTime)
        && maxEventTime.getMillis() > 0) {
      watermark = ctx.getBacklogCheckTime().minus(maxDelay);
    } else {
      watermark = maxEventTime.minus(maxDelay);
    }
    if (watermark.isAfter(highestWatermark)) {
      highestWatermark = watermark;
    }
    return highestWatermark;
  }
}
