package io.beamline.runners;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.beamline.io.ProduceEnvelopeFiles;
import io.beamline.io.kafka.testing.KafkaBrokerExtension;
import io.beamline.options.EtlOptions;
import io.beamline.options.StreamOptions;
import io.beamline.pipelines.etl.BatchEtlPipeline;
import io.beamline.pipelines.etl.EtlRunSummary;
import io.beamline.pipelines.etl.StreamingEtlPipeline;
import io.beamline.pipelines.generate.GeneratedSample;
import io.beamline.pipelines.generate.SampleEventGenerator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stream on Flink, read from a real broker and bounded by the record count, against the batch
 * ETL on Direct on the same events: the same counts, dead letters and rows.
 */
class StreamOnFlinkConformanceTest {
  @RegisterExtension static KafkaBrokerExtension kafka = new KafkaBrokerExtension();

  @TempDir Path work;

  @Test
  void flinkStreamMatchesTheBatchEtlOnTheSameEvents() throws IOException, InterruptedException {
    Path keyring = work.resolve("keyring.json");
    GeneratedSample sample =
        SampleEventGenerator.builder()
            .count(300)
            .days(1)
            .endDate(LocalDate.parse("2026-11-20"))
            .badFraction(0.1)
            .duplicateFraction(0.05)
            .files(2)
            .outputPath(work.resolve("input"))
            .keyring(SampleEventGenerator.writeKeyringIfMissing(keyring))
            .build()
            .generate();
    EtlRunSummary batch =
        BatchEtlPipeline.run(
            PipelineOptionsFactory.fromArgs(
                    "--runner=DirectRunner",
                    "--inputPath=" + work.resolve("input"),
                    "--outputRoot=" + work.resolve("out-batch"),
                    "--keyringPath=" + keyring,
                    "--schemaDir=../schemas")
                .withValidation()
                .as(EtlOptions.class));

    kafka.createTopic("events", 2);
    long sent = ProduceEnvelopeFiles.send(kafka.bootstrapServers(), "events", sample.files());
    EtlRunSummary stream =
        StreamingEtlPipeline.run(
            PipelineOptionsFactory.fromArgs(
                    "--runner=FlinkRunner",
                    "--flinkMaster=[local]",
                    "--parallelism=2",
                    "--bootstrapServers=" + kafka.bootstrapServers(),
                    "--topics=events",
                    "--consumerGroup=flink-conformance",
                    "--maxRecords=" + sent,
                    // The sample spreads its events at random over a day: a lateness that covers it keeps
                    // every record on time, as in the batch run.
                    "--allowedLatenessMinutes=" + (3 * 24 * 60),
                    "--outputRoot=" + work.resolve("out-stream"),
                    "--keyringPath=" + keyring,
                    "--schemaDir=../schemas")
                .withValidation()
                .as(StreamOptions.class));

    assertThat(stream.recordsIn(), is(sample.totalLines()));
    assertThat(stream.etlRecords(), is(batch.etlRecords()));
    assertThat(stream.duplicatesDropped(), is(batch.duplicatesDropped()));
    assertThat(stream.deadLettersByReason(), equalTo(batch.deadLettersByReason()));
    assertThat(stream.etlRowsByTable(), equalTo(batch.etlRowsByTable()));
    assertThat(stream.conserved(), is(true));
    assertThat(
        EtlRows.byPartition(work.resolve("out-stream")),
        equalTo(EtlRows.byPartition(work.resolve("out-batch"))));
  }
}
