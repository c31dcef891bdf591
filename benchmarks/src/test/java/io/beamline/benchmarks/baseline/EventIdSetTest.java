package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class EventIdSetTest {
  @Test
  void aSecondCopyOfAnEventIsNotAdded() {
    EventIdSet set = new EventIdSet();
    assertThat(set.add("acme", "e1"), equalTo(true));
    assertThat(set.add("acme", "e1"), equalTo(false));
  }

  @Test
  void theSameEventIdOfAnotherTenantIsAnotherEvent() {
    EventIdSet set = new EventIdSet();
    set.add("acme", "e1");
    assertThat(set.add("globex", "e1"), equalTo(true));
  }

  @Test
  void tenantAndIdAreNotJustConcatenated() {
    assertThat(EventIdSet.hash("ab", "c") == EventIdSet.hash("a", "bc"), equalTo(false));
  }

  @Test
  void everyOneOfTwoHundredThousandDistinctIdsIsAddedOnceAcrossGrowth() {
    EventIdSet set = new EventIdSet();
    int added = 0;
    for (int i = 0; i < 200_000; i++) {
      added += set.add("acme", "event-" + i) ? 1 : 0;
    }
    int again = 0;
    for (int i = 0; i < 200_000; i++) {
      again += set.add("acme", "event-" + i) ? 1 : 0;
    }
    assertThat(added, equalTo(200_000));
    assertThat(again, equalTo(0));
    assertThat(set.size(), equalTo(200_000L));
  }
}
