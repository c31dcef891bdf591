package io.beamline.benchmarks.streaming;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.ProcessEnvelopes;
import io.beamline.transforms.ProcessedEnvelopes;
import io.beamline.transforms.model.DeadLetter;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.schema.TableSchemas;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Distinct;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The envelopes the streaming benchmark sends are the generated sample made live: the shared ETL
 * composite makes of them exactly the rows and dead letters the generator promises for the sample
 * itself, and every row carries the new event_id with its send time.
 */
class EnvelopePoolTest {
  private static final long SENT_AT = 1_795_000_000_123L;

  @TempDir static Path work;
  private static GeneratedSample sample;
  private static Path keyring;

  @BeforeAll
  static void generate() throws Exception {
    keyring = work.resolve("keyring.json");
    sample =
        SampleEventGenerator.builder()
            .count(300)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            .duplicateFraction(0)
            .eventTimesInOrder(true)
            .files(1)
            .outputPath(work.resolve("sample"))
            .keyring(SampleEventGenerator.writeKeyringIfMissing(keyring))
            .build()
            .generate();
  }

  /**
   * One round of the pool's messages as the batch reader would pass them on: lines that are not
   * UTF-8 are its MALFORMED_JSON dead letters (counted in {@code notUtf8}), the rest go on as text.
   */
  private static List<String> messages(EnvelopePool pool, long[] notUtf8) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < pool.size(); i++) {
      byte[] value = pool.next(SENT_AT).value();
      try {
        out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(value)).toString());
      } catch (CharacterCodingException e) {
        notUtf8[0]++;
      }
    }
    return out;
  }

  @Test
  void theSentEnvelopesMakeTheSampleRowsAndDeadLettersWithNewIdsAndSendTimes() throws Exception {
    EnvelopePool pool = EnvelopePool.load(sample.files(), keyring, "bt");
    long[] notUtf8 = {0};
    List<String> lines = messages(pool, notUtf8);
    Map<String, Long> expectedDeadLetters = new TreeMap<>(sample.expectedDeadLetters());
    expectedDeadLetters.merge("MALFORMED_JSON", -notUtf8[0], Long::sum);

    Pipeline p = Pipeline.create(TestPipeline.testingPipelineOptions());
    ProcessedEnvelopes out =
        p.apply("Envelopes", Create.of(lines).withCoder(StringUtf8Coder.of()))
            .apply("ProcessEnvelopes", ProcessEnvelopes.with(Keyring.load(keyring), TableSchemas.load(Path.of("../schemas"))));
    PCollection<KV<String, Long>> rowsPerTable =
        out.rows()
            .apply("Table", MapElements.into(TypeDescriptors.strings()).via(EtlRow::table))
            .apply("RowsPerTable", Count.perElement());
    PCollection<KV<String, Long>> deadLettersPerReason =
        out.deadLetters()
            .apply("Reason", MapElements.into(TypeDescriptors.strings()).via((DeadLetter d) -> d.reason().name()))
            .apply("DeadLettersPerReason", Count.perElement());
    PCollection<Long> sendTimes =
        out.rows()
            .apply("SendTime", MapElements.into(TypeDescriptors.longs()).via((EtlRow r) -> EnvelopePool.sentAtMillis(r.eventId(), "bt")))
            .apply(Distinct.create());
    PAssert.that(rowsPerTable).containsInAnyOrder(kvs(sample.expectedEtlRows()));
    PAssert.that(deadLettersPerReason).containsInAnyOrder(kvs(expectedDeadLetters));
    PAssert.that(sendTimes).containsInAnyOrder(SENT_AT);
    PAssert.that(out.duplicates()).empty();
    p.run().waitUntilFinish();
  }

  @Test
  void eachRebuiltEnvelopeGetsAnEventIdOfItsOwnAndALineNotRebuiltKeepsItsBytes() throws Exception {
    EnvelopePool pool = EnvelopePool.load(sample.files(), keyring, "bt");
    long rebuilt = 0;
    long firstSequence = pool.nextSequence();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < pool.size(); i++) {
        EnvelopePool.Message m = pool.next(SENT_AT + round);
        if (m.rebuilt()) {
          assertThat(EnvelopePool.sequenceOf(m.key(), "bt"), equalTo(firstSequence + rebuilt));
          assertThat(EnvelopePool.sentAtMillis(m.key(), "bt"), equalTo(SENT_AT + round));
          rebuilt++;
        } else {
          assertThat(m.key() == null, is(true));
        }
      }
    }
    assertThat(rebuilt, equalTo(2 * pool.rebuiltLines()));
    assertThat(pool.size(), equalTo((int) sample.totalLines()));
  }

  @Test
  void idsOfOthersAreNotOurs() {
    assertThat(EnvelopePool.sentAtMillis("580c9794-bac7-4c0f", "bt"), equalTo(-1L));
    assertThat(EnvelopePool.sequenceOf("bt-12-1795000000123", "bt"), equalTo(12L));
    assertThat(EnvelopePool.sequenceOf("btx-12-1795000000123", "bt"), equalTo(-1L));
  }

  private static List<KV<String, Long>> kvs(Map<String, Long> counts) {
    List<KV<String, Long>> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : new TreeMap<>(counts).entrySet()) {
      if (e.getValue() > 0) {
        out.add(KV.of(e.getKey(), e.getValue()));
      }
    }
    return out;
  }
}
