package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ReAger;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchProcessFolderTest {
  @TempDir Path tmp;

  @Test
  void threadedBatchEqualsSerialPixelForPixel() throws Exception {
    Path model = TinyModel.write(tmp);
    Path in = tmp.resolve("in");
    int count = 8;
    for (int i = 0; i < count; i++) {
      // Different sizes, so that workers really run different shapes at the same time.
      TinyModel.writePng(TinyModel.image(24 + 4 * i, 20 + 2 * i, i), in.resolve("img" + i + ".png"));
    }
    Files.writeString(in.resolve("notes.txt"), "not an image");

    BatchProcessFolder.main(new String[] {model.toString(), in.toString(),
        tmp.resolve("threaded").toString(), "30", "70", "3"});
    try (ReAger serial = ReAger.load(model)) {
      assertThat(BatchProcessFolder.run(serial, in, tmp.resolve("serial"), 30, 70, 1))
          .isEqualTo(count);
    }

    assertThat(tmp.resolve("threaded").toFile().list()).hasSize(count);
    for (int i = 0; i < count; i++) {
      BufferedImage original = TinyModel.read(in.resolve("img" + i + ".png"));
      BufferedImage threaded = TinyModel.read(tmp.resolve("threaded/img" + i + ".png"));
      BufferedImage serialOut = TinyModel.read(tmp.resolve("serial/img" + i + ".png"));
      assertThat(threaded.getWidth()).isEqualTo(original.getWidth());
      assertThat(threaded.getHeight()).isEqualTo(original.getHeight());
      assertThat(TinyModel.differingPixels(threaded, serialOut)).as("image %s", i).isZero();
      assertThat(TinyModel.differingPixels(threaded, original)).isGreaterThan(0);
    }
  }

  @Test
  void aBrokenImageNamesTheFileAndStopsThePool() throws Exception {
    Path model = TinyModel.write(tmp);
    Path in = tmp.resolve("in");
    TinyModel.writePng(TinyModel.image(24, 24, 1), in.resolve("a.png"));
    Files.writeString(in.resolve("b.png"), "this is not a PNG");
    try (ReAger reager = ReAger.load(model)) {
      assertThatThrownBy(() -> BatchProcessFolder.run(reager, in, tmp.resolve("out"), 30, 70, 2))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("b.png");
      assertThatThrownBy(() -> BatchProcessFolder.run(reager, in, tmp.resolve("out"), 30, 70, 0))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("threads must be >= 1, got 0");
    }
  }
}
