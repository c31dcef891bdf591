package io.beamline.transforms;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.beamline.options.RecordLimitOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordLimitsTest {
  private static RecordLimitOptions options(String... args) {
    return PipelineOptionsFactory.fromArgs(args).as(RecordLimitOptions.class);
  }

  @Test
  void defaultOptionsGiveTheDefaultLimits() {
    assertThat(RecordLimits.from(options()), is(RecordLimits.defaults()));
  }

  @Test
  void defaultsAreOneMebibyteDepth64TenThousandValuesStrings256KiAndNumbers100() {
    RecordLimits d = RecordLimits.defaults();

    assertThat(d.maxRecordBytes(), is(1_048_576));
    assertThat(d.maxNestingDepth(), is(64));
    assertThat(d.maxFieldCount(), is(10_000));
    assertThat(d.maxStringLength(), is(262_144));
    assertThat(d.maxNumberLength(), is(100));
  }

  @Test
  void optionsSetEveryLimit() {
    RecordLimits l =
        RecordLimits.from(
            options(
                "--maxRecordBytes=2000", "--maxNestingDepth=5", "--maxFieldCount=30",
                "--maxStringLength=40", "--maxNumberLength=12"));

    assertThat(
        l,
        is(
            RecordLimits.defaults()
                .withMaxRecordBytes(2000)
                .withMaxNestingDepth(5)
                .withMaxFieldCount(30)
                .withMaxStringLength(40)
                .withMaxNumberLength(12)));
    assertThat(l.maxNestingDepth(), is(5));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "--maxRecordBytes=0, '--maxRecordBytes must be positive, got 0'",
    "--maxRecordBytes=-1, '--maxRecordBytes must be positive, got -1'",
    "--maxNestingDepth=0, '--maxNestingDepth must be between 1 and 1000, got 0'",
    "--maxNestingDepth=1001, '--maxNestingDepth must be between 1 and 1000, got 1001'",
    "--maxFieldCount=0, '--maxFieldCount must be positive, got 0'",
    "--maxStringLength=-5, '--maxStringLength must be between 1 and 20000000, got -5'",
    "--maxStringLength=20000001, '--maxStringLength must be between 1 and 20000000, got 20000001'",
    "--maxNumberLength=0, '--maxNumberLength must be between 1 and 1000, got 0'",
    "--maxNumberLength=1001, '--maxNumberLength must be between 1 and 1000, got 1001'"
  })
  void limitOutOfRangeFailsFastNamingTheOption(String arg, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RecordLimits.from(options(arg)));

    assertThat(e.getMessage(), is(message));
  }

  @Test
  void envelopeHasOneMoreLevelAndRoomForItsFieldsAndRecordLongStrings() {
    RecordLimits envelope =
        RecordLimits.defaults().withMaxNestingDepth(4).withMaxFieldCount(20).withMaxStringLength(10)
            .forEnvelope();

    assertThat(envelope.maxNestingDepth(), is(5));
    assertThat(envelope.maxFieldCount(), is(20 + RecordLimits.ENVELOPE_FIELDS));
    assertThat(envelope.maxStringLength(), is(1_048_576));
  }
}
