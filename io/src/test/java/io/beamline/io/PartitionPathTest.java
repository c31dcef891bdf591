package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.DeadLetterReason;
import io.beamline.transforms.model.EtlRow;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PartitionPathTest {
  private static final long T = Instant.parse("2026-11-20T23:59:59.999Z").toEpochMilli();

  @Test
  void etlRowsArePartitionedByUtcDateAndHourOfEventTime() {
    EtlRow row = new EtlRow("shop", "orders", "acme", "e1", T, "{}");
    assertThat(PartitionPath.of(PartitionPath.ETL, row), is("etl/shop/orders/tenant=acme/dt=2026-11-20/hr=23"));
  }

  @Test
  void deadLettersWithoutEventTimeGoUnderUnknownDateAndHour() {
    DeadLetter d = DeadLetter.builder("parse", DeadLetterReason.MALFORMED_JSON, "x").raw("x").build();
    assertThat(
        PartitionPath.of(PartitionPath.DLQ, d),
        is("dlq/_unknown/_unknown/tenant=_unknown/dt=unknown/hr=unknown"));
  }

  @Test
  void deadLettersOfAnUnknownTableDoNotUseItsNameAsAPath() {
    DeadLetter d =
        DeadLetter.builder("flatten", DeadLetterReason.UNKNOWN_TABLE, "x")
            .tenant("acme").source("shop").table("nope").eventTimeMillis(T).build();
    assertThat(
        PartitionPath.of(PartitionPath.DLQ, d),
        is("dlq/_unknown/_unknown/tenant=acme/dt=2026-11-20/hr=23"));
  }
}
