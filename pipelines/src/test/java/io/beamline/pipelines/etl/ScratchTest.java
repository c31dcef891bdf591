package io.beamline.pipelines.etl;

import io.beamline.options.EtlOptions;
import io.beamline.pipelines.BeamlineCli;
import java.io.*;
import java.nio.file.*;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void scratch() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    int code = new BeamlineCli().run(new String[] {"etl"}, new PrintStream(out), new PrintStream(err));
    System.out.println("code " + code + " out=" + out + " err=" + err);
    code = new BeamlineCli().run(new String[] {"etl", "--help"}, new PrintStream(out), new PrintStream(err));
    System.out.println("code " + code + " out=" + out);
    out.reset();
    code = new BeamlineCli().run(new String[] {"generate", "--help"}, new PrintStream(out), new PrintStream(err));
    System.out.println("code " + code + " out=" + out);
    out.reset();
    code = new BeamlineCli().run(new String[] {"demo", "--help"}, new PrintStream(out), new PrintStream(err));
    System.out.println("code " + code + " out=" + out);
    Path tmp = Files.createTempDirectory("scr");
    Files.writeString(tmp.resolve("a.jsonl"), "{}\n");
    EtlOptions o = PipelineOptionsFactory.fromArgs("--inputPath=" + tmp, "--outputRoot=" + tmp.resolve("out"), "--schemaDir=../schemas").as(EtlOptions.class);
    try { BatchEtlPipeline.run(o); } catch (Exception e) { System.out.println("null keyring: " + e); }
    o = PipelineOptionsFactory.fromArgs("--inputPath=" + tmp, "--outputRoot=" + tmp.resolve("out"), "--keyringPath=" + tmp.resolve("a.jsonl")).as(EtlOptions.class);
    try { BatchEtlPipeline.run(o); } catch (Exception e) { System.out.println("null schemas: " + e); }
    o = PipelineOptionsFactory.fromArgs("--outputRoot=" + tmp.resolve("out"), "--keyringPath=x").as(EtlOptions.class);
    try { BatchEtlPipeline.run(o); } catch (Exception e) { System.out.println("null input: " + e); }
  }
}
