package io.beamline.benchmarks.baseline;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.node.TextNode;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void stringsAreEscapedExactlyAsJacksonEscapesThem() {
    StringBuilder all = new StringBuilder();
    for (char c = 0; c < 0x80; c++) {
      all.append(c);
    }
    all.append("é€\uD83D\uDE00/\u2028");
    StringBuilder out = new StringBuilder();
    JsonText.appendString(out, all.toString());
    assertThat(out.toString(), equalTo(TextNode.valueOf(all.toString()).toString()));
  }
}
