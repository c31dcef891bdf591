package io.beamline.benchmarks.stages;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.Test;

class ParquetFileBatchTest {
  @Test
  void writesOneFilePerTableInTheOrderTablesFirstAppear() {
    StagePool pool = SharedPool.pool();
    List<String> firstSeen = new ArrayList<>();
    for (GenericRecord r : pool.records) {
      if (!firstSeen.contains(r.getSchema().getFullName())) {
        firstSeen.add(r.getSchema().getFullName());
      }
    }
    ParquetFileBatch batch = new ParquetFileBatch(pool.records);
    assertThat(batch.schemas().stream().map(s -> s.getFullName()).toList(), equalTo(firstSeen));
  }

  @Test
  void filesReadBackAsTheRecordsWrittenTable_byTable() throws Exception {
    StagePool pool = SharedPool.pool();
    ParquetFileBatch batch = new ParquetFileBatch(pool.records);
    int count = 1_000;
    List<InMemoryParquetFile> files = new ArrayList<>();
    int[] written = batch.write(count, f -> {
      InMemoryParquetFile file = new InMemoryParquetFile();
      files.add(file);
      return file;
    });
    List<List<GenericRecord>> expected = new ArrayList<>();
    for (int f = 0; f < files.size(); f++) {
      expected.add(new ArrayList<>());
    }
    for (GenericRecord r : Arrays.asList(pool.records).subList(0, count)) {
      expected.get(batch.schemas().indexOf(r.getSchema())).add(r);
    }
    for (int f = 0; f < files.size(); f++) {
      assertThat(written[f], equalTo(expected.get(f).size()));
      assertThat(files.get(f).readAll(), equalTo(expected.get(f)));
    }
  }

  @Test
  void batchesCycleThroughThePool() throws Exception {
    StagePool pool = SharedPool.pool();
    ParquetFileBatch batch = new ParquetFileBatch(pool.records);
    int total = pool.records.length + 10;
    int[] first = batch.write(pool.records.length - 5, f -> new DiscardingChannel());
    List<InMemoryParquetFile> files = new ArrayList<>();
    batch.write(15, f -> {
      InMemoryParquetFile file = new InMemoryParquetFile();
      files.add(file);
      return file;
    });
    List<GenericRecord> readBack = new ArrayList<>();
    for (InMemoryParquetFile file : files) {
      readBack.addAll(file.readAll());
    }
    List<GenericRecord> expected = new ArrayList<>(Arrays.asList(pool.records).subList(pool.records.length - 5, pool.records.length));
    expected.addAll(Arrays.asList(pool.records).subList(0, 10));
    assertThat(Arrays.stream(first).sum() + readBack.size(), equalTo(total));
    assertThat(sortedByEventId(readBack), equalTo(sortedByEventId(expected)));
  }

  private static List<String> sortedByEventId(List<GenericRecord> records) {
    return records.stream().map(r -> r.getSchema().getName() + " " + r.get("event_id") + " " + r).sorted().toList();
  }

  @Test
  void oneRecordFilesHoldTheFirstRecordOfEachTableInTurn() throws Exception {
    StagePool pool = SharedPool.pool();
    ParquetFileBatch batch = new ParquetFileBatch(pool.records);
    int tables = batch.schemas().size();
    List<GenericRecord> readBack = new ArrayList<>();
    List<Integer> files = new ArrayList<>();
    for (int n = 0; n < tables + 1; n++) {
      InMemoryParquetFile file = new InMemoryParquetFile();
      files.add(batch.writeOneRecordFile(file));
      readBack.addAll(file.readAll());
    }
    List<GenericRecord> expected = new ArrayList<>();
    for (int f = 0; f <= tables; f++) {
      org.apache.avro.Schema schema = batch.schemas().get(f % tables);
      expected.add(Arrays.stream(pool.records).filter(r -> r.getSchema().equals(schema)).findFirst().orElseThrow());
    }
    assertThat(files, equalTo(List.of(0, 1, 2, 3, 0)));
    assertThat(readBack, equalTo(expected));
  }
}
