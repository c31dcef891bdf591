package io.beamline.transforms.model;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.transforms.Json;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

class FieldsCoderTest {
  private static final Envelope ENCRYPTED =
      new Envelope("evt-1", "acme", "shop", "orders", 1_763_646_312_345L, "k1", "c2VhbGVk", "{\"raw\":\"ü€😀\"}");
  private static final Envelope PLAIN_BEFORE_1970 =
      new Envelope("evt-2", "acme", "shop", "orders", -62_135_596_800_000L, null, "{}", "{\"line\":1}");
  private static final EtlRow ROW =
      new EtlRow("shop", "order_items", "acme", "evt-1", 1_763_646_312_345L, "{\"sku\":\"Ä-1\"}").withRowIndex(7);

  @Test
  void roundTripsEveryFieldOfAnEnvelopeWithOrWithoutKeyId() throws Exception {
    for (Envelope e : List.of(ENCRYPTED, PLAIN_BEFORE_1970)) {
      Envelope back = roundTrip(Envelope.EnvelopeCoder.of(), e);
      assertThat(back, equalTo(e));
      assertThat(back.raw(), equalTo(e.raw()));
      assertThat(back.keyId(), equalTo(e.keyId()));
    }
  }

  @Test
  void keepsAnEtlRowsRowIndex() throws Exception {
    assertThat(roundTrip(EtlRow.EtlRowCoder.of(), ROW).rowIndex(), is(7));
    assertThat(roundTrip(EtlRow.EtlRowCoder.of(), ROW), equalTo(ROW));
  }

  @Test
  void roundTripsEventsWithTheirRowsInOrder() throws Exception {
    EtlRow parent = new EtlRow("shop", "orders", "acme", "evt-1", 5L, "{\"a\":1}");
    ValidatedEvent valid = new ValidatedEvent(ENCRYPTED, List.of(parent, ROW));
    FlatEvent flat =
        new FlatEvent(ENCRYPTED, List.of(new FlatRow("orders", "{}", ""), new FlatRow("order_items", "{}", "items[0]")));
    DecodedEvent decoded = new DecodedEvent(PLAIN_BEFORE_1970, "{\"order_id\":\"O-1\"}");

    assertThat(roundTrip(ValidatedEvent.ValidatedEventCoder.of(), valid).rows(), equalTo(List.of(parent, ROW)));
    assertThat(roundTrip(FlatEvent.FlatEventCoder.of(), flat), equalTo(flat));
    assertThat(roundTrip(FlatEvent.FlatEventCoder.of(), flat).rows().get(1).location(), is("items[0]"));
    assertThat(roundTrip(DecodedEvent.DecodedEventCoder.of(), decoded), equalTo(decoded));
  }

  @Test
  void rowsHeldAsTreesEncodeAsTheTextOfTheirTree() throws Exception {
    String values = "{\"sku\":\"Ä-1\",\"qty\":2,\"price\":9.50}";
    EtlRow fromTree =
        new EtlRow("shop", "order_items", "acme", "evt-1", 5L, Json.objectOf(values, "values")).withRowIndex(3);
    FlatRow flatFromTree = new FlatRow("orders", Json.objectOf(values, "columns"), "items[3]");

    EtlRow back = roundTrip(EtlRow.EtlRowCoder.of(), fromTree);
    FlatRow flatBack = roundTrip(FlatRow.FlatRowCoder.of(), flatFromTree);

    assertThat(back.valuesJson(), is(values));
    assertThat(back, equalTo(new EtlRow("shop", "order_items", "acme", "evt-1", 5L, values).withRowIndex(3)));
    assertThat(back.values().get("price").decimalValue().toPlainString(), is("9.50"));
    assertThat(flatBack, equalTo(new FlatRow("orders", values, "items[3]")));
  }

  @Test
  void decodedRowsShareOneInstanceOfEachTenantSourceAndTable() throws Exception {
    EtlRow first = roundTrip(EtlRow.EtlRowCoder.of(), ROW);
    EtlRow second = roundTrip(EtlRow.EtlRowCoder.of(), ROW);
    Envelope envelope = roundTrip(Envelope.EnvelopeCoder.of(), ENCRYPTED);

    assertThat(first.tenant() == second.tenant(), is(true));
    assertThat(first.source() == second.source(), is(true));
    assertThat(first.table() == second.table(), is(true));
    assertThat(envelope.tenant() == first.tenant(), is(true));
    assertThat(first.eventId() == second.eventId(), is(false));
  }

  @Test
  void aDecodedEventsRowsHoldTheEnvelopesEventIdInstance() throws Exception {
    EtlRow other = new EtlRow("shop", "orders", "acme", "evt-other", 5L, "{}");
    ValidatedEvent back =
        roundTrip(ValidatedEvent.ValidatedEventCoder.of(), new ValidatedEvent(ENCRYPTED, List.of(ROW, other)));

    assertThat(back.rows().get(0).eventId() == back.envelope().eventId(), is(true));
    assertThat(back.rows().get(1).eventId(), is("evt-other"));
  }

  @Test
  void canonicalNamesPastTheirCapacityReturnEachStringAsItIs() {
    CanonicalNames names = new CanonicalNames(1);
    String acme = names.canonical(new String("acme"));

    assertThat(names.canonical(new String("acme")) == acme, is(true));
    String globex = new String("globex");
    assertThat(names.canonical(globex) == globex, is(true));
    assertThat(names.canonical(new String("globex")) == globex, is(false));
  }

  @Test
  void roundTripsDeadLettersWithAndWithoutTheirOptionalFields() throws Exception {
    DeadLetter bare =
        DeadLetter.builder("parse", DeadLetterReason.MALFORMED_JSON, "not json")
            .rawBytes(new byte[] {(byte) 0xff, 0x00})
            .build()
            .withRejectedAtMillis(42L);
    DeadLetter full = DeadLetter.of(ENCRYPTED, "validate", DeadLetterReason.SCHEMA_VIOLATION, "orders.total: min").build();

    for (DeadLetter d : List.of(bare, full)) {
      DeadLetter back = roundTrip(DeadLetter.DeadLetterCoder.of(), d);
      assertThat(back, equalTo(d));
      assertThat(back.rejectedAtMillis(), is(d.rejectedAtMillis()));
      assertThat(back.eventTimeMillis(), equalTo(d.eventTimeMillis()));
      assertThat(Arrays.equals(back.rawBytes(), d.rawBytes()), is(true));
    }
  }

  @Test
  void isDeterministicAndGivesEqualValuesEqualBytes() throws Exception {
    Envelope copy =
        new Envelope("evt-1", "acme", "shop", "orders", 1_763_646_312_345L, "k1", "c2VhbGVk", "{\"raw\":\"ü€😀\"}");
    Envelope.EnvelopeCoder.of().verifyDeterministic();
    CoderProperties.coderDeterministic(Envelope.EnvelopeCoder.of(), ENCRYPTED, copy);
    CoderProperties.coderSerializable(ValidatedEvent.ValidatedEventCoder.of());
  }

  @Test
  void isTheCoderBeamInfersForEachModelClass() throws Exception {
    CoderRegistry registry = CoderRegistry.createDefault();
    assertThat(registry.getCoder(Envelope.class), equalTo((Coder<Envelope>) Envelope.EnvelopeCoder.of()));
    assertThat(registry.getCoder(ValidatedEvent.class), equalTo((Coder<ValidatedEvent>) ValidatedEvent.ValidatedEventCoder.of()));
    assertThat(registry.getCoder(EtlRow.class), equalTo((Coder<EtlRow>) EtlRow.EtlRowCoder.of()));
    assertThat(registry.getCoder(DeadLetter.class), equalTo((Coder<DeadLetter>) DeadLetter.DeadLetterCoder.of()));
  }

  @Test
  void refusesToEncodeAMissingRequiredField() {
    Envelope noRaw = new Envelope("evt-3", "acme", "shop", "orders", 0L, null, "{}", null);

    CoderException e =
        assertThrows(CoderException.class, () -> CoderUtils.encodeToByteArray(Envelope.EnvelopeCoder.of(), noRaw));
    assertThat(e.getMessage(), containsString("required"));
  }

  @Test
  void failsOnATruncatedElementRatherThanInventingFields() throws Exception {
    byte[] bytes = CoderUtils.encodeToByteArray(DeadLetter.DeadLetterCoder.of(), DeadLetter.of(
        ENCRYPTED, "decrypt", DeadLetterReason.DECRYPT_FAILED, "tampered").build());

    assertThrows(
        CoderException.class,
        () -> CoderUtils.decodeFromByteArray(DeadLetter.DeadLetterCoder.of(), Arrays.copyOf(bytes, bytes.length / 2)));
  }

  private static <T> T roundTrip(Coder<T> coder, T value) throws CoderException {
    return CoderUtils.decodeFromByteArray(coder, CoderUtils.encodeToByteArray(coder, value));
  }
}
