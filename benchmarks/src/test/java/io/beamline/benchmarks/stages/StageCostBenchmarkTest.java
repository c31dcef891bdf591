package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.transforms.RevealPersonalData;
import io.beamline.transforms.model.DecodedEvent;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.FlatEvent;
import io.beamline.transforms.model.FlatRow;
import io.beamline.transforms.model.ValidatedEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.avro.generic.GenericRecord;
import org.apache.beam.sdk.extensions.avro.coders.AvroCoder;
import org.junit.jupiter.api.Test;

/** Each benchmark method, called as JMH calls it, returns the right output for a known event. */
class StageCostBenchmarkTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final StageCostBenchmark bench = new StageCostBenchmark();

  private static int firstEventOf(String table) {
    StagePool pool = SharedPool.pool();
    for (int i = 0; i < pool.envelopes.length; i++) {
      if (pool.envelopes[i].table().equals(table)) {
        return i;
      }
    }
    throw new AssertionError("no " + table + " event in the pool");
  }

  private static StageCostBenchmark.Pool at(int event) {
    StageCostBenchmark.Pool p = SharedPool.state();
    p.moveTo(event, 0);
    return p;
  }

  @Test
  void parseEnvelopeReturnsTheEnvelopeOfTheLine() throws Exception {
    int i = firstEventOf("orders");
    Envelope e = bench.parseEnvelope(at(i));
    JsonNode line = JSON.readTree(SharedPool.pool().lines[i]);
    assertThat(
        List.of(e.eventId(), e.tenant(), e.table(), e.keyId(), e.payload(), e.raw()),
        equalTo(List.of(line.get("event_id").asText(), line.get("tenant").asText(), "orders",
            line.get("key_id").asText(), line.get("payload").asText(), SharedPool.pool().lines[i])));
  }

  @Test
  void decryptPayloadReturnsTheExactPlaintextTheGeneratorEncrypted() {
    StagePool pool = SharedPool.pool();
    int i = firstEventOf("orders");
    DecodedEvent decoded = bench.decryptPayload(at(i));
    Envelope e = pool.envelopes[i];
    byte[] sealed = Base64.getDecoder().decode(e.payload());
    // AES-GCM with the same key, iv and event id seals only this very plaintext to these bytes.
    String resealed =
        pool.keyring.encrypt(
            e.keyId(), e.eventId(), decoded.payloadJson().getBytes(StandardCharsets.UTF_8), replaying(sealed));
    assertThat(resealed, equalTo(e.payload()));
  }

  @Test
  void flattenRecordMakesOneOrderRowAndOneRowPerItem() throws Exception {
    int i = firstEventOf("orders");
    FlatEvent flat = bench.flattenRecord(at(i));
    int items = StagePoolTest.plaintext(SharedPool.pool(), i).get("items").size();
    List<String> expected = new ArrayList<>();
    expected.add("orders");
    expected.addAll(Collections.nCopies(items, "order_items"));
    assertThat(flat.rows().stream().map(FlatRow::table).toList(), equalTo(expected));
  }

  @Test
  void validateAgainstSchemaTypesEveryRowOfTheEvent() throws Exception {
    int i = firstEventOf("orders");
    ValidatedEvent valid = bench.validateAgainstSchema(at(i));
    JsonNode payload = StagePoolTest.plaintext(SharedPool.pool(), i);
    List<EtlRow> rows = valid.rows();
    assertThat(rows.size(), equalTo(1 + payload.get("items").size()));
    JsonNode order = JSON.readTree(rows.get(0).valuesJson());
    assertThat(order.get("order_id").asText(), equalTo(payload.get("order_id").asText()));
    assertThat(order.get("customer_id").asText(), equalTo(payload.get("customer").get("id").asText()));
    assertThat(order.get("total").asText(), equalTo(payload.get("total").decimalValue().setScale(2).toPlainString()));
    assertThat(rows.stream().map(r -> r.eventId()).toList(), everyItem(equalTo(valid.envelope().eventId())));
  }

  @Test
  void protectPersonalDataHashesTheEmailAndEncryptsTheNames() throws Exception {
    StagePool pool = SharedPool.pool();
    int i = firstEventOf("customers");
    ValidatedEvent out = bench.protectPersonalData(at(i));
    JsonNode payload = StagePoolTest.plaintext(pool, i);
    JsonNode row = JSON.readTree(out.rows().get(0).valuesJson());
    String tenant = out.envelope().tenant();
    RevealPersonalData reveal = RevealPersonalData.with(pool.keyring);
    assertThat(row.get("email").asText(), matchesPattern("[0-9a-f]{64}"));
    assertThat(row.get("email").asText(), equalTo(reveal.hash(tenant, payload.get("email").asText())));
    assertThat(row.get("name_first").asText(), not(equalTo(payload.get("name").get("first").asText())));
    assertThat(
        List.of(reveal.reveal(tenant, row.get("name_first").asText()), reveal.reveal(tenant, row.get("name_last").asText())),
        equalTo(List.of(payload.get("name").get("first").asText(), payload.get("name").get("last").asText())));
  }

  @Test
  void chainReturnsWhatTheStagesReturnOneByOne() {
    StagePool pool = SharedPool.pool();
    for (int i = 0; i < 50; i++) {
      assertThat(bench.chainParseToProtect(at(i)), equalTo(pool.protectedEvents[i]));
    }
  }

  @Test
  void avroRecordHoldsTheRowsValues() throws Exception {
    StagePool pool = SharedPool.pool();
    StageCostBenchmark.Pool p = SharedPool.state();
    p.moveTo(0, 0);
    GenericRecord record = bench.avroRecord(p);
    EtlRow row = pool.rows[0];
    JsonNode values = JSON.readTree(row.valuesJson());
    assertThat(
        List.of(record.get("event_id").toString(), record.get("tenant").toString(), record.get("event_time"),
            record.get("_ingested_at")),
        equalTo(List.of(row.eventId(), row.tenant(), row.eventTimeMillis() * 1000L, pool.ingestedAtMicros)));
    String key = row.table().equals("customers") ? "customer_id" : row.table().equals("payments") ? "payment_id" : "order_id";
    assertThat(record.get(key).toString(), equalTo(values.get(key).asText()));
  }

  @Test
  void parquetEncodeReturnsTheBytesOfTheFilesItWrote() throws Exception {
    StagePool pool = SharedPool.pool();
    StageCostBenchmark.ParquetFiles files = new StageCostBenchmark.ParquetFiles();
    files.sink = ParquetFileBatch.SinkKind.BEAMLINE;
    files.setUp(SharedPool.state());
    long discarded = bench.parquetEncode(files);
    // The same rows into kept files: Parquet encoding is deterministic, so the sizes must agree.
    ParquetFileBatch same = new ParquetFileBatch(pool.records);
    List<InMemoryParquetFile> kept = new ArrayList<>();
    same.write(StageCostBenchmark.PARQUET_ROWS_PER_OP, f -> {
      InMemoryParquetFile file = new InMemoryParquetFile();
      kept.add(file);
      return file;
    });
    assertThat(discarded, equalTo(kept.stream().mapToLong(InMemoryParquetFile::size).sum()));
  }

  @Test
  void parquetFileOverheadReturnsTheBytesOfAOneRecordFile() throws Exception {
    StageCostBenchmark.ParquetFiles files = new StageCostBenchmark.ParquetFiles();
    files.sink = ParquetFileBatch.SinkKind.BEAMLINE;
    files.setUp(SharedPool.state());
    long discarded = bench.parquetFileOverhead(files);
    InMemoryParquetFile kept = new InMemoryParquetFile();
    new ParquetFileBatch(SharedPool.pool().records).writeOneRecordFile(kept);
    assertThat(List.of(discarded, kept.readAll().size()), equalTo(List.of(kept.size(), 1)));
  }

  @Test
  void coderRoundTripsReturnEqualElements() throws Exception {
    StagePool pool = SharedPool.pool();
    StageCostBenchmark.Pool p = SharedPool.state();
    int i = firstEventOf("orders");
    p.moveTo(i, 3);
    assertThat(
        List.of(bench.coderEnvelope(p), bench.coderDecodedEvent(p), bench.coderFlatEvent(p), bench.coderValidatedEvent(p),
            bench.coderEtlRow(p)),
        contains(pool.envelopes[i], pool.decoded[i + 1], pool.flat[i + 2], pool.protectedEvents[i + 3], pool.rows[3]));
  }

  @Test
  void coderBenchmarksRunTheCodersThePipelineInfers() {
    StageCostBenchmark.Pool p = SharedPool.state();
    assertThat(
        List.of(p.envelopeCoder, p.decodedCoder, p.flatCoder, p.validatedCoder, p.rowCoder),
        contains(
            Envelope.EnvelopeCoder.of(), DecodedEvent.DecodedEventCoder.of(), FlatEvent.FlatEventCoder.of(),
            ValidatedEvent.ValidatedEventCoder.of(), EtlRow.EtlRowCoder.of()));
  }

  @Test
  void avroCopyBenchmarksDecodeWithAnotherEqualCoderInstance() throws Exception {
    StagePool pool = SharedPool.pool();
    StageCostBenchmark.Pool p = SharedPool.state();
    int i = firstEventOf("orders");
    p.moveTo(i, 0);
    assertThat(p.avroEnvelopeReader, allOf(equalTo(p.avroEnvelopeWriter), not(sameInstance(p.avroEnvelopeWriter))));
    assertThat(
        List.of(bench.avroCoderCopiesEnvelope(p), bench.avroCoderCopiesValidatedEvent(p)),
        contains(pool.envelopes[i], pool.protectedEvents[i + 1]));
  }

  @Test
  void cursorsCycleThroughThePool() {
    StageCostBenchmark.Pool p = SharedPool.state();
    int events = p.pool.lines.length;
    int rows = p.pool.rows.length;
    p.moveTo(events - 1, rows - 1);
    assertThat(List.of(p.nextEvent(), p.nextEvent(), p.nextRow(), p.nextRow()), equalTo(List.of(events - 1, 0, rows - 1, 0)));
  }

  /** A random source whose next bytes are the iv a payload was sealed with. */
  private static Random replaying(byte[] sealed) {
    return new Random() {
      @Override
      public void nextBytes(byte[] bytes) {
        System.arraycopy(sealed, 0, bytes, 0, bytes.length);
      }
    };
  }
}
