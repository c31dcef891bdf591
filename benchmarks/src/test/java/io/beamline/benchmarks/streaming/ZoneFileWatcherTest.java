package io.beamline.benchmarks.streaming;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZoneFileWatcherTest {
  private static final long START = Instant.parse("2026-11-22T08:55:00Z").toEpochMilli();
  private static final long END = Instant.parse("2026-11-22T08:56:00Z").toEpochMilli();

  @Test
  void aWindowsFilesAreDatedByTheScanThatFirstSawThem(@TempDir Path out) throws Exception {
    Path hour = Files.createDirectories(out.resolve("etl/shop/orders/tenant=acme/dt=2026-11-22/hr=08"));
    Files.createFile(hour.resolve("part-bench-eos1-20261122T085500Z-20261122T085600Z-0-00000-of-00001.parquet"));
    Files.createFile(hour.resolve(".part-bench-eos1-20261122T085600Z-20261122T085700Z-0-00000-of-00001.parquet"));
    ZoneFileWatcher watcher = new ZoneFileWatcher(out);

    watcher.scan(END + 33_000);
    Path items = Files.createDirectories(out.resolve("etl/shop/order_items/tenant=acme/dt=2026-11-22/hr=08"));
    Files.createFile(items.resolve("part-bench-eos1-20261122T085500Z-20261122T085600Z-0-00000-of-00001.parquet"));
    watcher.scan(END + 34_000);

    assertThat(
        watcher.windows(),
        contains(new ZoneFileWatcher.WindowFiles(START, END, END + 33_000, END + 34_000, 2)));
    ZoneFileWatcher.WindowFiles w = watcher.windows().get(0);
    assertThat(w.newestRowFreshness(), equalTo(33_000L));
    assertThat(w.middleRowFreshness(), equalTo(63_000L));
    assertThat(w.oldestRowFreshness(), equalTo(93_000L));
  }

  @Test
  void hiddenTemporaryFilesAndOtherNamesHaveNoWindow() {
    assertThat(ZoneFileWatcher.windowOf(".part-x-20261122T085500Z-20261122T085600Z-0-00000-of-00001.parquet"), nullValue());
    assertThat(ZoneFileWatcher.windowOf("part-x-20261122T085500Z-20261122T085600Z-0-00000-of-00001.json"), nullValue());
    assertThat(ZoneFileWatcher.windowOf("part-x-00000-of-00001.parquet"), nullValue());
  }
}
