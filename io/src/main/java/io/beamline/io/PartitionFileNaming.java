package io.beamline.io;

import org.apache.beam.sdk.io.Compression;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.PaneInfo;
import org.joda.time.Instant;
import org.joda.time.format.DateTimeFormatter;
import org.joda.time.format.ISODateTimeFormat;

/**
 * Names the files of one partition: {@code <prefix>[-<window start>-<window end>][-<pane>]-SSSSS-of-NNNNN<suffix>}.
 * Unlike Beam's default naming, window bounds carry no ':' ({@code 20261120T135000Z}): Hadoop's
 * Path, and so Spark and Hive, cannot read file names with a colon.
 */
final class PartitionFileNaming implements FileIO.Write.FileNaming {
  private static final long serialVersionUID = 1L;
  private static final DateTimeFormatter BOUND = ISODateTimeFormat.basicDateTimeNoMillis().withZoneUTC();

  private final String partitionAndPrefix;
  private final String suffix;

  PartitionFileNaming(String partition, String prefix, String suffix) {
    this.partitionAndPrefix = partition + "/" + prefix;
    this.suffix = suffix;
  }

  @Override
  public String getFilename(
      BoundedWindow window, PaneInfo pane, int numShards, int shardIndex, Compression compression) {
    StringBuilder name = new StringBuilder(partitionAndPrefix);
    if (window instanceof IntervalWindow) {
      IntervalWindow w = (IntervalWindow) window;
      name.append('-').append(bound(w.start())).append('-').append(bound(w.end()));
    }
    if (pane != null && !(pane.isFirst() && pane.isLast())) {
      name.append('-').append(pane.getIndex());
    }
    name.append(String.format("-%05d-of-%05d", shardIndex, numShards));
    return name.append(suffix).toString();
  }

  private static String bound(Instant instant) {
    return BOUND.print(instant);
  }
}
