package io.beamline.pipelines;

import io.beamline.options.RevealOptions;
import io.beamline.transforms.Keyring;
import io.beamline.transforms.RevealPersonalData;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * {@code reveal}: reads values of {@code "pii": "encrypt"} fields, one a line, from standard input
 * and prints each one's plaintext on its own line. Values come on standard input, not as options,
 * so that they stay out of process lists and shell history.
 */
final class RevealCommand implements BeamlineCli.Command {
  private final Reader in;

  RevealCommand() {
    this(new InputStreamReader(System.in, StandardCharsets.UTF_8));
  }

  RevealCommand(Reader in) {
    this.in = in;
  }

  @Override
  public Class<? extends PipelineOptions> options() {
    return RevealOptions.class;
  }

  @Override
  public String summary() {
    return "Prints the plaintext of encrypted pii values (one a line on standard input) of a tenant.";
  }

  @Override
  public int run(PipelineOptions options, PrintStream out) throws IOException {
    RevealOptions o = options.as(RevealOptions.class);
    RevealPersonalData reveal =
        RevealPersonalData.with(Keyring.load(Path.of(o.getKeyringPath())));
    BufferedReader lines = new BufferedReader(in);
    int number = 0;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      number++;
      if (line.isBlank()) {
        continue;
      }
      try {
        out.println(reveal.reveal(o.getTenant(), line.strip()));
      } catch (IllegalArgumentException e) {
        // The message names the tenant, never the value or the key.
        throw new IllegalArgumentException("line " + number + ": " + e.getMessage());
      }
    }
    out.flush();
    return BeamlineCli.OK;
  }
}
