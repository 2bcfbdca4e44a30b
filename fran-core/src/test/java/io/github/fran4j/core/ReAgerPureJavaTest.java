package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: a small .safetensors model through ReAger.load on the pure-Java backend. */
class ReAgerPureJavaTest {


  /**
   * The contract computed directly: the network on the edge-padded input, cropped, added,
   * clamped, rounded.
   */
  private static int[] expectedPixels(StateDict weights, BufferedImage img, double in, double out,
      int paddedW, int paddedH) throws IOException {
    int w = img.getWidth();
    int h = img.getHeight();
    float[] input = new float[5 * paddedW * paddedH];
    int plane = paddedW * paddedH;
    for (int y = 0; y < paddedH; y++) {
      for (int x = 0; x < paddedW; x++) {
        int p = img.getRGB(Math.min(x, w - 1), Math.min(y, h - 1));
        int i = y * paddedW + x;
        input[i] = ((p >> 16) & 0xFF) / 255f;
        input[plane + i] = ((p >> 8) & 0xFF) / 255f;
        input[2 * plane + i] = (p & 0xFF) / 255f;
        input[3 * plane + i] = (float) (in / 100);
        input[4 * plane + i] = (float) (out / 100);
      }
    }
    Tensor delta = ReferenceUNet.create(weights)
        .forward(Tensor.wrap(input, 1, 5, paddedH, paddedW));
    float[] d = delta.toFloatArray();
    int[] pixels = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * paddedW + x;
        int rgb = 0;
        for (int c = 0; c < 3; c++) {
          float v = input[c * plane + i] + d[c * plane + i];
          rgb = (rgb << 8) | PlanarImage.quantize(v, 255);
        }
        pixels[y * w + x] = rgb;
      }
    }
    return pixels;
  }

  @Test
  void safetensorsModelReagesAnImageEndToEnd(@TempDir Path dir) throws IOException {
    UNetConfig config = UNetConfig.builder().optBaseWidth(4).optDepth(2)
        .optTrainingResolution(16).build();
    StateDict weights = Fixtures.randomWeights(config, 11);
    Path file = dir.resolve("tiny.safetensors");
    SafeTensors.write(weights, file);
    // Not a multiple of 4: padded to 16 x 12.
    BufferedImage img = Fixtures.randomRgbImage(13, 10, 5);
    try (ReAger reager = ReAger.load(file)) {
      assertThat(reager.describe()).contains("pure-java");
      BufferedImage out = reager.reage(img, 25, 70);
      int[] expected = expectedPixels(weights, img, 25, 70, 16, 12);
      int changed = 0;
      for (int y = 0; y < 10; y++) {
        for (int x = 0; x < 13; x++) {
          assertThat(out.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected[y * 13 + x]);
          changed += (out.getRGB(x, y) & 0xFFFFFF) != (img.getRGB(x, y) & 0xFFFFFF) ? 1 : 0;
        }
      }
      assertThat(changed).as("the random model must change the image").isGreaterThan(50);
    }
  }

  @Test
  void imagesSmallerThanABlurPoolNetworkAcceptsArePaddedUp(@TempDir Path dir) throws IOException {
    UNetConfig config = UNetConfig.builder().optBaseWidth(4).optDepth(2).optBlurPool(true)
        .optUpsampling(Upsampling.BILINEAR).optTrainingResolution(16).build();
    assertThat(config.minimumSize()).isEqualTo(6);
    StateDict weights = Fixtures.randomWeights(config, 3);
    Path file = dir.resolve("blur.safetensors");
    SafeTensors.write(weights, file);
    BufferedImage img = Fixtures.randomRgbImage(3, 2, 9);
    try (ReAger reager = ReAger.load(file)) {
      BufferedImage out = reager.reage(img, 40, 20);
      int[] expected = expectedPixels(weights, img, 40, 20, 8, 8);
      for (int y = 0; y < 2; y++) {
        for (int x = 0; x < 3; x++) {
          assertThat(out.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected[y * 3 + x]);
        }
      }
    }
  }
}
