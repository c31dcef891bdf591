package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;

class EventTimeDeadlineTest {
  private static final EventTimeDeadline FIVE_MINUTES_AND_HOURS_20_LATE =
      EventTimeDeadline.of(Duration.standardMinutes(20), Duration.standardMinutes(5), Duration.standardHours(1));

  private static long at(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  @Test
  void deadlineIsTheSmallestWindowsLastMillisecondPlusTheLateness() {
    assertThat(
        FIVE_MINUTES_AND_HOURS_20_LATE.deadlineMillis(at("2026-11-20T10:07:30Z")),
        is(at("2026-11-20T10:29:59.999Z")));
  }

  @Test
  void windowsThatDoNotDivideTheHourTakeWhicheverEndsFirst() {
    EventTimeDeadline sevenMinutes =
        EventTimeDeadline.of(Duration.ZERO, Duration.standardMinutes(7), Duration.standardHours(1));
    // 10:58 lies in the 7-minute window [10:54, 11:01), which ends after its hour does.
    assertThat(sevenMinutes.deadlineMillis(at("2026-11-20T10:58:00Z")), is(at("2026-11-20T10:59:59.999Z")));
  }

  @Test
  void recordIsPastOnlyOnceTheWatermarkIsBeyondTheDeadline() {
    long eventTime = at("2026-11-20T10:01:00Z");
    assertThat(FIVE_MINUTES_AND_HOURS_20_LATE.isPast(eventTime, at("2026-11-20T10:24:59.999Z")), is(false));
    assertThat(FIVE_MINUTES_AND_HOURS_20_LATE.isPast(eventTime, at("2026-11-20T10:25:00Z")), is(true));
  }

  @Test
  void eventTimesBeforeTheEpochUseTheirOwnWindow() {
    EventTimeDeadline minute = EventTimeDeadline.of(Duration.ZERO, Duration.standardMinutes(1));
    assertThat(minute.deadlineMillis(at("1969-12-31T23:59:30Z")), is(at("1969-12-31T23:59:59.999Z")));
  }

  @Test
  void rejectsNegativeLateness() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventTimeDeadline.of(Duration.millis(-1), Duration.standardMinutes(5)));
    assertThat(e.getMessage(), containsString("lateness"));
  }
}
