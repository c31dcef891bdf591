package io.beamline.benchmarks.baseline;

import io.beamline.io.CountingPositionOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** A local file as Parquet's OutputFile, without Hadoop's file system (no .crc side files). */
final class LocalParquetFile implements OutputFile {
  private final Path path;

  LocalParquetFile(Path path) {
    this.path = path;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    return stream(Files.newOutputStream(path));
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    return create(blockSizeHint);
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  private static PositionOutputStream stream(OutputStream file) {
    OutputStream out = new BufferedOutputStream(file, 1 << 16);
    return new CountingPositionOutputStream(out);
  }
}
