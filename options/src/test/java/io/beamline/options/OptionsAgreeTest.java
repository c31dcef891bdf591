package io.beamline.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItems;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/**
 * Beam checks every options interface a JVM has used against all the others: a property declared
 * in two of them must have the same type and the same {@code @Default} (or none in both). The
 * command line and the tests run several commands in one JVM, so all of them must agree.
 */
class OptionsAgreeTest {
  @Test
  void everyOptionsInterfaceCanBeUsedInOneJvmWithAllTheOthers()
      throws IOException, URISyntaxException, ClassNotFoundException {
    Path dir =
        Path.of(SchemaOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("io/beamline/options");
    List<Class<? extends PipelineOptions>> all = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().collect(Collectors.toList())) {
        String name = f.getFileName().toString();
        if (name.endsWith("Options.class")) {
          all.add(
              Class.forName("io.beamline.options." + name.replace(".class", ""))
                  .asSubclass(PipelineOptions.class));
        }
      }
    }
    assertThat(all, hasItems(KafkaLocalOptions.class, PostgresLocalOptions.class, EtlOptions.class));

    for (Class<? extends PipelineOptions> c : all) {
      PipelineOptionsFactory.register(c);
    }
    for (Class<? extends PipelineOptions> c : all) {
      PipelineOptionsFactory.create().as(c); // throws naming the property when two disagree
    }
  }
}
