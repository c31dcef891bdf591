package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.notNullValue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.beamline.transforms.model.Envelope;
import io.beamline.transforms.model.EtlRow;
import io.beamline.transforms.model.ValidatedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagePoolTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void holdsTheDefaultNumberOfEventsAtEveryStage() {
    StagePool pool = SharedPool.pool();
    int n = StagePool.DEFAULT_EVENTS;
    assertThat(
        List.of(pool.lines.length, pool.envelopes.length, pool.decoded.length, pool.flat.length,
            pool.validated.length, pool.protectedEvents.length),
        equalTo(List.of(n, n, n, n, n, n)));
  }

  @Test
  void everyEventIsAnEncryptedShopEnvelopeOfItsOwnLine() {
    StagePool pool = SharedPool.pool();
    for (int i = 0; i < pool.lines.length; i++) {
      Envelope e = pool.envelopes[i];
      assertThat(e.raw(), equalTo(pool.lines[i]));
      assertThat(e.keyId(), notNullValue());
      assertThat(e.source(), equalTo("shop"));
    }
  }

  @Test
  void eventsCoverTheThreeSampleTables() {
    Set<String> tables = new TreeSet<>();
    for (Envelope e : SharedPool.pool().envelopes) {
      tables.add(e.table());
    }
    assertThat(tables, equalTo(Set.of("customers", "orders", "payments")));
  }

  @Test
  void ordersCarryOneToEightItems() throws Exception {
    StagePool pool = SharedPool.pool();
    List<Integer> items = new ArrayList<>();
    for (int i = 0; i < pool.lines.length; i++) {
      if (pool.envelopes[i].table().equals("orders")) {
        items.add(JSON.readTree(pool.decoded[i].payloadJson()).get("items").size());
      }
    }
    assertThat(items, everyItem(both(greaterThanOrEqualTo(1)).and(lessThanOrEqualTo(8))));
    assertThat(new TreeSet<>(items), equalTo(Set.of(1, 2, 3, 4, 5, 6, 7, 8)));
  }

  @Test
  void rowsAreTheProtectedEventsRowsInOrder() {
    StagePool pool = SharedPool.pool();
    List<EtlRow> expected = new ArrayList<>();
    for (ValidatedEvent e : pool.protectedEvents) {
      expected.addAll(e.rows());
    }
    assertThat(Arrays.asList(pool.rows), equalTo(expected));
  }

  @Test
  void recordsAreTheRowsAsAvro() {
    StagePool pool = SharedPool.pool();
    assertThat(pool.records.length, equalTo(pool.rows.length));
    for (int i = 0; i < pool.rows.length; i++) {
      assertThat(pool.records[i].get("event_id").toString(), equalTo(pool.rows[i].eventId()));
      assertThat(pool.records[i].getSchema().getName(), equalTo("beamline_shop_" + pool.rows[i].table()));
    }
  }

  @Test
  void theSameSizeGivesTheSameLines() {
    assertThat(Arrays.asList(StagePool.generate(50).lines), equalTo(Arrays.asList(StagePool.generate(50).lines)));
  }

  @Test
  void aPoolReadFromItsFileHoldsTheSameInputsAndWorkingStages(@TempDir Path dir) throws Exception {
    StagePool pool = SharedPool.pool();
    pool.writeTo(dir.resolve("pool.ser"));
    StagePool read = StagePool.readFrom(dir.resolve("pool.ser"));
    assertThat(
        List.of(Arrays.asList(read.lines), Arrays.asList(read.envelopes), Arrays.asList(read.decoded),
            Arrays.asList(read.flat), Arrays.asList(read.validated), Arrays.asList(read.protectedEvents),
            Arrays.asList(read.rows)),
        equalTo(List.of(Arrays.asList(pool.lines), Arrays.asList(pool.envelopes), Arrays.asList(pool.decoded),
            Arrays.asList(pool.flat), Arrays.asList(pool.validated), Arrays.asList(pool.protectedEvents),
            Arrays.asList(pool.rows))));
    assertThat(read.stages.chain(read.lines[7]), equalTo(pool.protectedEvents[7]));
  }

  @Test
  void thePoolFileIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
    SharedPool.pool().writeTo(dir.resolve("pool.ser"));
    assertThat(
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("pool.ser"))), equalTo("rw-------"));
  }

  static JsonNode plaintext(StagePool pool, int event) throws Exception {
    return JSON.readTree(pool.decoded[event].payloadJson());
  }
}
