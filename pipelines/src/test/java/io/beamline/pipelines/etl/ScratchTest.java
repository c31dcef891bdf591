package io.beamline.pipelines.etl;

import io.beamline.transforms.testing.TestKeyrings;
import java.nio.file.*;
import org.junit.jupiter.api.Test;

class ScratchTest {
  @Test
  void scratch() throws Exception {
    Path tmp = Path.of("/tmp/scratch-etl2");
    if (Files.exists(tmp)) { try (var s = Files.walk(tmp)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); } }
    EtlTestSupport.generate(tmp.resolve("in"), 30, 3L);
    Path keyring = TestKeyrings.writeKeyringFile(tmp);
    String[] extra = System.getProperty("extra", "").isEmpty() ? new String[0] : System.getProperty("extra").split(",");
    EtlTestSupport.run(tmp.resolve("in"), tmp.resolve("out"), keyring, extra);
  }
}
