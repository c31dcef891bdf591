package io.beamline.io;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.avro.AvroParquetReader;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnappyParquetSinkTest {
  private static final Schema SCHEMA =
      SchemaBuilder.record("row").fields().requiredString("id").optionalLong("n").endRecord();

  @Test
  void everyRecordReadsBackFromOneSnappyFilePerOpen(@TempDir Path tmp) throws IOException {
    SnappyParquetSink sink = new SnappyParquetSink(SCHEMA);
    List<GenericRecord> written = new ArrayList<>();
    for (Path file : List.of(tmp.resolve("a.parquet"), tmp.resolve("b.parquet"))) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        sink.open(channel);
        for (int i = 0; i < 1000; i++) {
          GenericRecord r = new GenericData.Record(SCHEMA);
          r.put("id", file.getFileName() + "-" + i);
          r.put("n", i % 3 == 0 ? null : (long) i);
          sink.write(r);
          written.add(r);
        }
        sink.flush();
      }
    }
    List<String> read = new ArrayList<>();
    for (Path file : List.of(tmp.resolve("a.parquet"), tmp.resolve("b.parquet"))) {
      HadoopInputFile in = HadoopInputFile.fromPath(new org.apache.hadoop.fs.Path(file.toUri()), new Configuration());
      try (ParquetFileReader footer = ParquetFileReader.open(in)) {
        assertThat(footer.getFooter().getBlocks().get(0).getColumns().get(0).getCodec(), is(CompressionCodecName.SNAPPY));
      }
      try (ParquetReader<GenericRecord> reader = AvroParquetReader.<GenericRecord>builder(in).build()) {
        for (GenericRecord r = reader.read(); r != null; r = reader.read()) {
          read.add(r.toString());
        }
      }
    }
    assertThat(read, is(written.stream().map(GenericRecord::toString).toList()));
  }
}
