package io.beamline.io;

import io.beamline.transforms.model.CanonicalNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;

/**
 * An etl row on its way into a Parquet file: its partition and its record, Avro binary in its
 * table's schema ({@link EtlAvroSchemas}). The write groups rows by file; held this way a row is
 * less than half the size of the row as JSON text with its names, which matters where a runner
 * keeps the grouping in memory (the Direct runner holds a whole run) or sends it over a shuffle.
 */
final class AvroEncodedRow {
  private final String partition;
  private final byte[] record;

  AvroEncodedRow(String partition, byte[] record) {
    this.partition = partition;
    this.record = record;
  }

  /** The partition directory, {@code <zone>/<source>/<table>/tenant=/dt=/hr=}. */
  String partition() {
    return partition;
  }

  byte[] record() {
    return record;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AvroEncodedRow r && partition.equals(r.partition) && Arrays.equals(record, r.record);
  }

  @Override
  public int hashCode() {
    return 31 * partition.hashCode() + Arrays.hashCode(record);
  }

  /** Partition as UTF-8, one shared instance per partition on decode, then the record's bytes. */
  static final class AvroEncodedRowCoder extends AtomicCoder<AvroEncodedRow> {
    private static final long serialVersionUID = 1L;
    private static final AvroEncodedRowCoder INSTANCE = new AvroEncodedRowCoder();
    // A run writes thousands of partitions at most; past this, partitions are simply not shared.
    private static final CanonicalNames PARTITIONS = new CanonicalNames(100_000);

    static AvroEncodedRowCoder of() {
      return INSTANCE;
    }

    @Override
    public void encode(AvroEncodedRow value, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(value.partition, out);
      ByteArrayCoder.of().encode(value.record, out);
    }

    @Override
    public AvroEncodedRow decode(InputStream in) throws IOException {
      String partition = PARTITIONS.canonical(StringUtf8Coder.of().decode(in));
      return new AvroEncodedRow(partition, ByteArrayCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
