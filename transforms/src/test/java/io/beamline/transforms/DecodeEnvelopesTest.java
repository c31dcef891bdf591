package io.beamline.transforms;

import static io.beamline.transforms.testing.BeamlineCounters.counter;
import static io.beamline.transforms.model.DeadLetterReason.DECRYPT_FAILED;
import static io.beamline.transforms.model.DeadLetterReason.MALFORMED_JSON;
import static io.beamline.transforms.model.DeadLetterReason.SCHEMA_VIOLATION;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_KEY;
import static io.beamline.transforms.model.DeadLetterReason.UNKNOWN_TABLE;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import io.beamline.transforms.schema.TableSchema;
import io.beamline.transforms.schema.TableSchemas;
import io.beamline.transforms.testing.DeadLetterSummary;
import io.beamline.transforms.testing.Envelopes;
import io.beamline.transforms.testing.TestKeyrings;
import io.beamline.transforms.testing.TestPipelineExtension;
import io.beamline.transforms.testing.TestSchemas;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.WithFailures;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestPipelineExtension.class)
class DecodeEnvelopesTest {
  private static final String PEOPLE_JSON =
      """
      {"source": "shop", "table": "people", "fields": [
        {"name": "person_id", "type": "string", "required": true, "pii": "hash"},
        {"name": "city", "type": "string"}]}
      """;
  private static final TableSchemas SCHEMAS =
      TableSchemas.of(
          List.of(
              TableSchema.parse(PEOPLE_JSON, "shop/people.json"),
              TestSchemas.orders(),
              TestSchemas.orderItems()));
  private static final Keyring KEYRING = TestKeyrings.keyring();
  private static final String AUTH_FAILED =
      "authentication failed: wrong key, tampered payload or payload of another event_id";

  /** One record for each way a stage can reject, and two that pass (one with pii). */
  private static List<Envelope> mixedEnvelopes() throws Exception {
    Envelopes base = Envelopes.envelope();
    ObjectNode noOrderId = TestSchemas.order("O-4");
    noOrderId.remove("order_id");
    ObjectNode person = (ObjectNode) Json.MAPPER.readTree("{\"person_id\":\"P-1\",\"city\":\"Oslo\"}");
    return List.of(
        base.eventId("evt-ok").toEnvelope(),
        base.eventId("evt-person").table("people").payload(person).toEnvelope(),
        base.eventId("evt-tampered").tamperCiphertext().toEnvelope(),
        base.eventId("evt-unknown-table").table("refunds").toEnvelope(),
        base.eventId("evt-not-object").payload("[1, 2]").toEnvelope(),
        base.eventId("evt-schema").payload(noOrderId).toEnvelope(),
        base.eventId("evt-no-pii-key").tenant("hooli").table("people").payload(person).toEnvelope());
  }

  @Test
  void rejectsEachRecordUnderTheStageThatRejectsIt(TestPipeline p) throws Exception {
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> out = decodeFused(p, mixedEnvelopes());

    PAssert.that(out.failures().apply(DeadLetterSummary.summarize()))
        .containsInAnyOrder(
            DeadLetterSummary.of("decrypt", DECRYPT_FAILED, AUTH_FAILED, "evt-tampered", "acme"),
            DeadLetterSummary.of(
                "flatten", UNKNOWN_TABLE, "no schema for shop/refunds", "evt-unknown-table", "acme"),
            DeadLetterSummary.of(
                "flatten", MALFORMED_JSON, "payload is not a JSON object", "evt-not-object", "acme"),
            DeadLetterSummary.of(
                "validate", SCHEMA_VIOLATION, "orders.order_id: required", "evt-schema", "acme"),
            DeadLetterSummary.of(
                "protect", UNKNOWN_KEY, "people: no pii key for tenant hooli in the keyring",
                "evt-no-pii-key", "hooli"));
    PAssert.that(out.output().apply("EventIds", eventIds()))
        .containsInAnyOrder("evt-ok", "evt-person");
  }

  @Test
  void handsOnTrimmedEventsWithTheDigestOfTheirRawLine(TestPipeline p) throws Exception {
    List<Envelope> envelopes = mixedEnvelopes();
    String okDigest = new ValidatedEvent(envelopes.get(0), List.of()).rawDigest();

    PAssert.that(
            decodeFused(p, envelopes)
                .output()
                .apply(
                    "Trimmed",
                    MapElements.into(TypeDescriptors.strings())
                        .via(
                            (ValidatedEvent e) ->
                                e.envelope().eventId() + ":" + e.envelope().payload() + e.envelope().raw()
                                    + ":" + (e.envelope().eventId().equals("evt-ok") ? e.rawDigest() : ""))))
        .containsInAnyOrder("evt-ok::" + okDigest, "evt-person::");
  }

  @Test
  void makesTheSameEventsAndDeadLettersAsTheFourStagesInTurn(TestPipeline p) throws Exception {
    List<Envelope> envelopes = mixedEnvelopes();
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> fused = decodeFused(p, envelopes);
    WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> chained = decodeInTurn(p, envelopes);

    int expectedOutputs = envelopes.size();
    PCollection<KV<String, Iterable<String>>> byOutput =
        PCollectionList.of(tagged(fused, "fused", "Fused"))
            .and(tagged(chained, "chained", "Chained"))
            .apply("Both", Flatten.pCollections())
            .apply("ByOutput", GroupByKey.create());

    PAssert.that(byOutput)
        .satisfies(
            groups -> {
              List<String> outputs = new ArrayList<>();
              for (KV<String, Iterable<String>> g : groups) {
                List<String> paths =
                    StreamSupport.stream(g.getValue().spliterator(), false).sorted().toList();
                assertThat(g.getKey(), paths, is(List.of("chained", "fused")));
                outputs.add(g.getKey());
              }
              // 2 events and 5 dead letters, so the comparison cannot pass on empty outputs.
              assertThat(outputs.size(), is(expectedOutputs));
              return null;
            });
  }

  @Test
  void countsWhatEachFusedStagePassesOnAndRejects(TestPipeline p) throws Exception {
    decodeFused(p, mixedEnvelopes());

    MetricQueryResults metrics = p.run().metrics().queryMetrics(MetricsFilter.builder().build());

    assertThat(counter(metrics, "records_out.decrypt"), is(6L));
    assertThat(counter(metrics, "dead_letters.decrypt.DECRYPT_FAILED"), is(1L));
    assertThat(counter(metrics, "records_out.flatten"), is(4L));
    assertThat(counter(metrics, "dead_letters.flatten.UNKNOWN_TABLE"), is(1L));
    assertThat(counter(metrics, "dead_letters.flatten.MALFORMED_JSON"), is(1L));
    assertThat(counter(metrics, "records_out.validate"), is(3L));
    assertThat(counter(metrics, "dead_letters.validate.SCHEMA_VIOLATION"), is(1L));
    assertThat(counter(metrics, "records_out.protect"), is(2L));
    assertThat(counter(metrics, "dead_letters.protect.UNKNOWN_KEY"), is(1L));
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> decodeFused(
      TestPipeline p, List<Envelope> envelopes) {
    return p.apply("FusedInput", Create.of(envelopes))
        .apply("Fused", DecodeEnvelopes.with(KEYRING, SCHEMAS));
  }

  private static WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> decodeInTurn(
      TestPipeline p, List<Envelope> envelopes) {
    var decrypted = p.apply("ChainedInput", Create.of(envelopes)).apply(DecryptPayload.with(KEYRING));
    var flat = decrypted.output().apply(FlattenRecord.with(SCHEMAS));
    var valid = flat.output().apply(ValidateAgainstSchema.with(SCHEMAS));
    var safe = valid.output().apply(ProtectPersonalData.with(KEYRING, SCHEMAS));
    PCollection<DeadLetter> rejected =
        PCollectionList.of(decrypted.failures())
            .and(flat.failures())
            .and(valid.failures())
            .and(safe.failures())
            .apply("ChainedRejections", Flatten.pCollections());
    return WithFailures.Result.of(safe.output(), rejected);
  }

  /** Each output as comparable text (rows' values included; rejection time left out), to its path. */
  private static PCollection<KV<String, String>> tagged(
      WithFailures.Result<PCollection<ValidatedEvent>, DeadLetter> out, String path, String name) {
    PCollection<KV<String, String>> events =
        out.output()
            .apply(
                name + "Events",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via(
                        (ValidatedEvent e) ->
                            KV.of(
                                e.envelope().eventId() + " "
                                    + e.rows().stream().map(EtlRow::valuesJson).collect(Collectors.joining(",")),
                                path)));
    PCollection<KV<String, String>> rejected =
        out.failures()
            .apply(
                name + "DeadLetters",
                MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.strings()))
                    .via((DeadLetter d) -> KV.of(DeadLetterSummary.of(d) + " " + d.source() + "/" + d.table() + " " + d.raw(), path)));
    return PCollectionList.of(events).and(rejected).apply(name + "Outputs", Flatten.pCollections());
  }

  private static MapElements<ValidatedEvent, String> eventIds() {
    return MapElements.into(TypeDescriptors.strings()).via((ValidatedEvent e) -> e.envelope().eventId());
  }
}
