package io.beamline.benchmarks.streaming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Watches the etl zone for Parquet files appearing (files appear whole, by rename, so a visible
 * file is a readable one) and remembers when each event-time window's files were first and last
 * seen. The envelopes are sent with event_time = send time, so a window [start, end) holds rows
 * sent in [start, end): its rows' freshness into the zone lies between (seen - end) and
 * (seen - start), (seen - middle) on average. File names carry the window:
 * {@code part-<runId>-<start>-<end>[-<pane>]-<shard>-of-<shards>.parquet}.
 */
final class ZoneFileWatcher implements AutoCloseable {
  private static final Pattern WINDOW = Pattern.compile("-(\\d{8}T\\d{6}Z)-(\\d{8}T\\d{6}Z)-");
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

  /** One event-time window of the etl zone: when its first and its latest file were seen. */
  record WindowFiles(long startMillis, long endMillis, long firstSeenMillis, long lastSeenMillis, int files) {
    /** Freshness of the window's newest rows into the zone (first file seen minus window end). */
    long newestRowFreshness() {
      return firstSeenMillis - endMillis;
    }

    /** Freshness of a row sent in the middle of the window. */
    long middleRowFreshness() {
      return firstSeenMillis - (startMillis + endMillis) / 2;
    }

    /** Freshness of the window's oldest rows. */
    long oldestRowFreshness() {
      return firstSeenMillis - startMillis;
    }
  }

  private final Path etlZone;
  private final Thread thread;
  private final Set<Path> known = new HashSet<>();
  private final Map<Long, long[]> windows = new TreeMap<>(); // start -> {end, first, last, files}
  private volatile boolean running = true;

  ZoneFileWatcher(Path outputRoot) {
    this.etlZone = outputRoot.resolve("etl");
    this.thread = new Thread(this::loop, "etl-zone-watcher");
    this.thread.setDaemon(true);
  }

  ZoneFileWatcher start() {
    thread.start();
    return this;
  }

  /** The window of a file name, {start, end} in epoch millis, or null. */
  static long[] windowOf(String fileName) {
    Matcher m = WINDOW.matcher(fileName);
    if (!fileName.endsWith(".parquet") || fileName.startsWith(".") || !m.find()) {
      return null;
    }
    return new long[] {millis(m.group(1)), millis(m.group(2))};
  }

  private static long millis(String stamp) {
    return LocalDateTime.parse(stamp, STAMP).toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  /** Records the files present now as seen at {@code nowMillis}. */
  synchronized void scan(long nowMillis) {
    if (!Files.isDirectory(etlZone)) {
      return;
    }
    // A file visitor that skips what vanishes mid-walk: the writers create and rename temporary
    // files and directories all the time, and Files.walk would give up the whole scan on one.
    try {
      Files.walkFileTree(etlZone, new SimpleFileVisitor<Path>() {
        @Override
        public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) {
          long[] w = windowOf(p.getFileName().toString());
          if (w != null && known.add(p)) {
            long[] seen = windows.computeIfAbsent(w[0], k -> new long[] {w[1], nowMillis, nowMillis, 0});
            seen[2] = Math.max(seen[2], nowMillis);
            seen[3]++;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path p, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // The zone itself went away: the next scan sees what is there.
    }
  }

  /** The windows seen so far, oldest first. */
  synchronized List<WindowFiles> windows() {
    List<WindowFiles> out = new ArrayList<>();
    for (Map.Entry<Long, long[]> e : windows.entrySet()) {
      long[] v = e.getValue();
      out.add(new WindowFiles(e.getKey(), v[0], v[1], v[2], (int) v[3]));
    }
    return out;
  }

  private void loop() {
    while (running) {
      scan(System.currentTimeMillis());
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
