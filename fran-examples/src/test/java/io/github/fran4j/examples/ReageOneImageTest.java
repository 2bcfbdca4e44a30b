package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReageOneImageTest {
  @TempDir Path tmp;

  @Test
  void writesThePngTheReferenceNetworkPredicts() throws Exception {
    Path model = TinyModel.write(tmp);
    BufferedImage in = TinyModel.image(32, 32, 1);
    Path input = TinyModel.writePng(in, tmp.resolve("in.png"));
    Path output = tmp.resolve("out/older.png");
    java.nio.file.Files.createDirectories(output.getParent());

    ReageOneImage.main(new String[] {model.toString(), input.toString(), output.toString(), "30",
        "70"});

    BufferedImage out = TinyModel.read(output);
    assertThat(out.getWidth()).isEqualTo(32);
    assertThat(out.getHeight()).isEqualTo(32);
    // Independent expectation: build the [1, 5, H, W] input by hand and run the reference U-Net.
    float[] x = new float[5 * 32 * 32];
    int plane = 32 * 32;
    for (int y = 0; y < 32; y++) {
      for (int c = 0; c < 32; c++) {
        int rgb = in.getRGB(c, y);
        int i = y * 32 + c;
        x[i] = ((rgb >> 16) & 0xff) / 255f;
        x[plane + i] = ((rgb >> 8) & 0xff) / 255f;
        x[2 * plane + i] = (rgb & 0xff) / 255f;
        x[3 * plane + i] = 0.30f;
        x[4 * plane + i] = 0.70f;
      }
    }
    float[] delta = ReferenceUNet.create(TinyModel.weights()).forward(Tensor.wrap(x, 1, 5, 32, 32))
        .toFloatArray();
    int changed = 0;
    for (int y = 0; y < 32; y++) {
      for (int c = 0; c < 32; c++) {
        int i = y * 32 + c;
        int got = out.getRGB(c, y);
        for (int ch = 0; ch < 3; ch++) {
          double v = Math.max(0, Math.min(1, x[ch * plane + i] + delta[ch * plane + i]));
          int expected = (int) Math.round(v * 255);
          int actual = (got >> (16 - 8 * ch)) & 0xff;
          assertThat(actual).as("pixel (%s, %s) channel %s", c, y, ch).isBetween(expected - 1,
              expected + 1);
        }
        if ((got & 0xffffff) != (in.getRGB(c, y) & 0xffffff)) {
          changed++;
        }
      }
    }
    assertThat(changed).isGreaterThan(32 * 32 / 2);
  }

  @Test
  void wrongArgumentCountPrintsUsage() {
    assertThatThrownBy(() -> ReageOneImage.main(new String[] {"m.onnx"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usage: ReageOneImage MODEL INPUT OUTPUT.png");
  }
}
