package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.beamline.transforms.EventTimeDeadline;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.KafkaTimestampType;
import org.apache.beam.sdk.io.kafka.TimestampPolicy.PartitionContext;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

class EventTimePolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-20T18:00:00Z");
  private static final Duration DELAY = Duration.standardSeconds(30);
  /** Five-minute and hourly windows, two hours of allowed lateness. */
  private static final EventTimeDeadline DEADLINE =
      EventTimeDeadline.of(Duration.standardHours(2), Duration.standardMinutes(5), Duration.standardHours(1));

  private static final PartitionContext BUSY = context(100);

  private static PartitionContext context(long backlog) {
    return new PartitionContext() {
      @Override
      public long getMessageBacklog() {
        return backlog;
      }

      @Override
      public Instant getBacklogCheckTime() {
        return NOW;
      }
    };
  }

  private static KafkaRecord<byte[], byte[]> record(String value, String kafkaTime) {
    return new KafkaRecord<>(
        "t", 0, 0, Instant.parse(kafkaTime).getMillis(), KafkaTimestampType.CREATE_TIME, new RecordHeaders(),
        new byte[0], value.getBytes(StandardCharsets.UTF_8));
  }

  private static KafkaRecord<byte[], byte[]> event(String eventTime) {
    return record("{\"event_id\":\"e\",\"event_time\":\"" + eventTime + "\",\"payload\":{}}", "2026-11-20T17:00:00Z");
  }

  private static EventTimePolicy policy() {
    return new EventTimePolicy(DELAY, DEADLINE, Optional.empty());
  }

  @Test
  void stampsRecordsWithTheirEventTimeUnderAWatermarkTrailingByTheDelay() {
    EventTimePolicy policy = policy();
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z")), is(Instant.parse("2026-11-20T12:00:00Z")));
    assertThat(policy.watermarkAt(BUSY, NOW), is(Instant.parse("2026-11-20T11:59:30Z")));
  }

  @Test
  void stampsARecordPastItsDeadlineWithTheWatermark() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    policy.watermarkAt(BUSY, NOW);
    // 09:00 lies in [09:00, 09:05): deadline 11:05, long before the watermark of 11:59:30.
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T09:00:00Z")), is(Instant.parse("2026-11-20T11:59:30Z")));
  }

  @Test
  void keepsTheEventTimeOfARecordLateWithinTheAllowedLateness() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    policy.watermarkAt(BUSY, NOW);
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T10:00:00Z")), is(Instant.parse("2026-11-20T10:00:00Z")));
  }

  @Test
  void judgesARecordByTheRecordsBeforeItEvenWhenNoWatermarkWasAskedFor() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T09:00:00Z")), is(Instant.parse("2026-11-20T11:59:30Z")));
  }

  @Test
  void lateRecordsDoNotMoveTheWatermark() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    policy.watermarkAt(BUSY, NOW);
    policy.getTimestampForRecord(BUSY, event("2026-11-20T09:00:00Z"));
    assertThat(policy.watermarkAt(BUSY, NOW), is(Instant.parse("2026-11-20T11:59:30Z")));
  }

  @Test
  void stampsARecordWithoutAnEventTimeNoEarlierThanTheWatermark() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    policy.watermarkAt(BUSY, NOW);
    assertThat(policy.getTimestampForRecord(BUSY, record("not json", "2026-11-20T08:00:00Z")), is(Instant.parse("2026-11-20T11:59:30Z")));
    assertThat(policy.getTimestampForRecord(BUSY, record("not json", "2026-11-20T17:00:00Z")), is(Instant.parse("2026-11-20T17:00:00Z")));
  }

  @Test
  void judgesLatenessByTheHighestWatermarkEvenAfterAnIdleSpell() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z"));
    // Idle: the watermark moves to the clock minus the delay, 17:59:30.
    assertThat(policy.watermarkAt(context(0), NOW), is(Instant.parse("2026-11-20T17:59:30Z")));
    // Busy again, the partition's own estimate (11:59:30) is lower, but the watermark stays.
    assertThat(policy.watermarkAt(BUSY, NOW), is(Instant.parse("2026-11-20T17:59:30Z")));
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T12:30:00Z")), is(Instant.parse("2026-11-20T17:59:30Z")));
  }

  @Test
  void neverPutsTheWatermarkAheadOfTheClock() {
    EventTimePolicy policy = policy();
    policy.getTimestampForRecord(BUSY, event("2027-01-01T00:00:00Z"));
    assertThat(policy.watermarkAt(BUSY, NOW), is(NOW.minus(DELAY)));
  }

  @Test
  void startsFromTheCheckpointedWatermark() {
    EventTimePolicy policy = new EventTimePolicy(DELAY, DEADLINE, Optional.of(Instant.parse("2026-11-20T15:00:00Z")));
    assertThat(policy.getTimestampForRecord(BUSY, event("2026-11-20T12:00:00Z")), is(Instant.parse("2026-11-20T15:00:00Z")));
  }
}
