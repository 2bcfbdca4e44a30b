package io.github.fran4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class OutputLayoutTest {
  private final Configuration conf = new Configuration(false);

  @Test
  void outputsKeepTheirRelativePathAndTakeTheFormatsExtension() throws Exception {
    OutputLayout keep = OutputLayout.of("/data/in", "/data/out/", Optional.empty(), conf);
    assertThat(keep.outputFor("file:/data/in/shot1/f.0001.JPG")).isEqualTo("file:/data/out/shot1/f.0001.JPG");
    // A table may name inputs as plain paths or file:/// URIs.
    assertThat(keep.outputFor("/data/in/a.png")).isEqualTo("file:/data/out/a.png");
    assertThat(keep.outputFor("file:///data/in/a.png")).isEqualTo("file:/data/out/a.png");
    OutputLayout png = OutputLayout.of("/data/in", "/data/out", Optional.of("png"), conf);
    assertThat(png.outputFor("file:/data/in/shot.v2/f.0001.jpg")).isEqualTo("file:/data/out/shot.v2/f.0001.png");
    assertThat(png.outputFor("file:/data/in/shot.v2/noext")).isEqualTo("file:/data/out/shot.v2/noext.png");
    assertThat(png.scratchFor("file:/data/out/shot.v2/f.png", 7).toString())
        .isEqualTo("file:/data/out/_fran_temporary/attempt-7/shot.v2/f.png");
    assertThat(OutputLayout.formatOf("file:/data/out/a.JPEG")).isEqualTo("jpeg");
  }

  @Test
  void inputsOutsideTheRootAndOutputsInsideTheInputAreRejected() throws Exception {
    OutputLayout l = OutputLayout.of("/data/in", "/data/out", Optional.empty(), conf);
    assertThatThrownBy(() -> l.outputFor("file:/data/input2/a.png"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not inside the input folder");
    assertThatThrownBy(() -> OutputLayout.of("/data/in", "/data/in/older", Optional.empty(), conf))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("the output folder /data/in/older must not be inside the input folder /data/in");
    // A sibling whose name starts like the input is fine.
    assertThat(OutputLayout.of("/data/in", "/data/in2", Optional.empty(), conf).outputFor("/data/in/a.png"))
        .isEqualTo("file:/data/in2/a.png");
  }
}
