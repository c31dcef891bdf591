package io.beamline.transforms.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.sameInstance;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension itself: fresh pipeline per test, run after the test unless the test ran it. */
@ExtendWith(TestPipelineExtension.class)
class TestPipelineExtensionTest {
  private static final AtomicInteger PROCESSED = new AtomicInteger();
  private static final Set<TestPipeline> SEEN =
      Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

  private TestPipeline fromBeforeEach;

  @BeforeEach
  void remember(TestPipeline p) {
    assertThat("a pipeline of an earlier test came back", SEEN.add(p), is(true));
    fromBeforeEach = p;
    PROCESSED.set(0);
  }

  @AfterEach
  void checkRuns(TestInfo test) {
    String name = test.getTestMethod().orElseThrow().getName();
    if (name.startsWith("runsThePipeline")) {
      assertThat(name, PROCESSED.get(), is(1));
    }
  }

  @Test
  void runsThePipelineAfterTheTestWhenTheTestDidNotRunIt(TestPipeline p) {
    p.apply(Create.of("x")).apply(ParDo.of(new CountFn()));

    assertThat(PROCESSED.get(), is(0));
  }

  @Test
  void runsThePipelineOnlyOnceWhenTheTestRanIt(TestPipeline p) {
    PAssert.that(p.apply(Create.of("x")).apply(ParDo.of(new CountFn()))).containsInAnyOrder("x");

    p.run().waitUntilFinish();

    assertThat(PROCESSED.get(), is(1));
  }

  @Test
  void givesTheTestTheSamePipelineAsItsBeforeEachMethod(TestPipeline p) {
    assertThat(p, sameInstance(fromBeforeEach));
  }

  @Test
  void givesEveryTestAPipelineOfItsOwn(TestPipeline p) {
    // remember() fails when a pipeline comes back; this test makes sure there are several tests.
    assertThat(SEEN.contains(p), is(true));
  }

  /** Counts the elements it sees in this JVM. */
  static final class CountFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String element, OutputReceiver<String> out) {
      PROCESSED.incrementAndGet();
      out.output(element);
    }
  }
}
