package io.beamline.transforms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Passes elements through and throws once, after a number of them, to test recovery. "Once"
 * holds across restarts and workers of one machine because the failure first creates a marker file
 * (atomically, so only one instance fails); every instance set up while the marker exists writes
 * {@code <marker>.recovered}, which shows that the runner started the pipeline again.
 */
public final class FailOnceAfterElements<T> extends PTransform<PCollection<T>, PCollection<T>> {
  private final long afterElements;
  private final String marker;

  private FailOnceAfterElements(long afterElements, String marker) {
    this.afterElements = afterElements;
    this.marker = marker;
  }

  /** Fails once after {@code afterElements} elements, counted per instance; needs a marker file. */
  public static <T> FailOnceAfterElements<T> of(long afterElements, String marker) {
    if (afterElements < 1) {
      throw new IllegalArgumentException(
          "--injectFailureAfterRows must be at least 1 to inject a failure, got " + afterElements);
    }
    if (marker == null || marker.isBlank()) {
      throw new IllegalArgumentException("--injectFailureAfterRows needs --injectFailureMarker");
    }
    return new FailOnceAfterElements<>(afterElements, marker);
  }

  @Override
  public PCollection<T> expand(PCollection<T> input) {
    return input.apply(ParDo.of(new FailOnceFn<T>(afterElements, marker))).setCoder(input.getCoder());
  }

  static final class FailOnceFn<T> extends DoFn<T, T> {
    private final long afterElements;
    private final String marker;
    private transient long seen;

    FailOnceFn(long afterElements, String marker) {
      this.afterElements = afterElements;
      this.marker = marker;
    }

    @Setup
    public void setup() throws IOException {
      Path markerFile = Paths.get(marker);
      if (Files.exists(markerFile)) {
        Files.writeString(markerFile.resolveSibling(markerFile.getFileName() + ".recovered"), "");
      }
    }

    @ProcessElement
    public void process(@Element T element, OutputReceiver<T> out) {
      if (++seen >= afterElements && failFirst()) {
        throw new IllegalStateException(
            "Injected failure after " + seen + " elements (--injectFailureAfterRows)");
      }
      out.output(element);
    }

    /** True for the one instance, on the one machine, that creates the marker. */
    private boolean failFirst() {
      try {
        Files.createFile(Paths.get(marker));
        return true;
      } catch (FileAlreadyExistsException alreadyFailed) {
        return false;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the failure marker " + marker, e);
      }
    }
  }
}
