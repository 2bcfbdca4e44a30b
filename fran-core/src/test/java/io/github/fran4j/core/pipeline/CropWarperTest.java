package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CropWarperTest {

  static BufferedImage randomImage(int w, int h, int type, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    Random r = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt());
      }
    }
    return img;
  }

  static BufferedImage sixteenBit(int w, int h, int value) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_USHORT_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, value);
      }
    }
    return img;
  }

  @Test
  void identityCropReadsPixelsExactly() {
    BufferedImage img = randomImage(8, 8, BufferedImage.TYPE_INT_RGB, 1);
    FaceCrop crop = new FaceCrop(Face.of(0, 0, 8, 8, 1), SimilarityTransform.scaleTranslate(1, 0, 0), 8);
    float[] rgb = CropWarper.sampleRgb(img, crop);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int p = img.getRGB(x, y);
        assertThat(rgb[y * 8 + x]).isCloseTo(((p >> 16) & 0xff) / 255f, within(1e-6f));
        assertThat(rgb[64 + y * 8 + x]).isCloseTo(((p >> 8) & 0xff) / 255f, within(1e-6f));
        assertThat(rgb[128 + y * 8 + x]).isCloseTo((p & 0xff) / 255f, within(1e-6f));
      }
    }
  }

  @Test
  void halfSizeCropIsTheTwoByTwoBoxAverage() {
    BufferedImage img = randomImage(8, 8, BufferedImage.TYPE_INT_RGB, 2);
    FaceCrop crop = new FaceCrop(Face.of(0, 0, 8, 8, 1), SimilarityTransform.scaleTranslate(2, 0, 0), 4);
    float[] rgb = CropWarper.sampleRgb(img, crop);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        double sum = 0;
        for (int dy = 0; dy < 2; dy++) {
          for (int dx = 0; dx < 2; dx++) {
            sum += (img.getRGB(2 * x + dx, 2 * y + dy) >> 8) & 0xff;
          }
        }
        assertThat(rgb[16 + y * 4 + x]).isCloseTo((float) (sum / 4 / 255), within(1e-5f));
      }
    }
  }

  @Test
  void pasteLeavesEveryPixelOutsideTheMaskBitIdentical() {
    BufferedImage original = randomImage(120, 90, BufferedImage.TYPE_INT_ARGB, 3);
    BufferedImage frame = WorkingImages.toWorking(original);
    // A rotated crop in the middle, reaching over the right edge of the frame.
    SimilarityTransform t = SimilarityTransform.of(1.2 * Math.cos(0.4), 1.2 * Math.sin(0.4), 70, 5);
    FaceCrop crop = new FaceCrop(Face.of(0, 0, 1, 1, 1), t, 64);
    float[] delta = new float[3 * 64 * 64];
    Arrays.fill(delta, 0.3f);
    FeatherMask mask = new FeatherMask(0.15);
    long touched = CropWarper.pasteDelta(frame, crop, delta, mask);
    assertThat(touched).isGreaterThan(1000);
    int changedInside = 0;
    for (int y = 0; y < 90; y++) {
      for (int x = 0; x < 120; x++) {
        Point c = crop.frameToCrop().apply(new Point(x + 0.5, y + 0.5));
        double w = mask.weight(c.x() / 64, c.y() / 64);
        int before = original.getRGB(x, y);
        int after = frame.getRGB(x, y);
        // Alpha is never touched.
        assertThat(after >>> 24).isEqualTo(before >>> 24);
        if (w == 0) {
          assertThat(after).as("pixel (%s, %s) outside the mask", x, y).isEqualTo(before);
        } else if (w == 1) {
          // Full weight: +0.3 * 255 = 76.5, rounded half up, clamped at 255.
          int r = (before >> 16) & 0xff;
          assertThat((after >> 16) & 0xff).isEqualTo(Math.min(255, Math.round(r + 76.5f)));
          changedInside++;
        }
      }
    }
    assertThat(changedInside).isGreaterThan(500);
  }

  @Test
  void bicubicPasteReproducesALinearDeltaAndKeepsDetail() {
    // Frame pixels coincide with crop pixels shifted by (10, 20): the delta must land unchanged,
    // and a delta linear in x must be reproduced exactly by the cubic (Keys) kernel.
    BufferedImage frame = WorkingImages.toWorking(randomImage(64, 64, BufferedImage.TYPE_INT_RGB, 4));
    BufferedImage before = WorkingImages.toWorking(frame);
    int size = 32;
    FaceCrop crop = new FaceCrop(Face.of(10, 20, 32, 32, 1), SimilarityTransform.scaleTranslate(1, 10.5, 20), size);
    float[] delta = new float[3 * size * size];
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        delta[y * size + x] = 0.01f * x; // red only
      }
    }
    CropWarper.pasteDelta(frame, crop, delta, new FeatherMask(0.2));
    FeatherMask mask = new FeatherMask(0.2);
    for (int y = 28; y < 36; y++) {
      for (int x = 25; x < 34; x++) {
        // Frame centre x + 0.5 -> crop x + 0.5 - 10.5 = pixel-centre coordinate x - 10.5 + ... :
        double u = x + 0.5 - 10.5; // continuous crop coordinate
        double v = y + 0.5 - 20;
        double w = mask.weight(u / size, v / size);
        double expectedDelta = 0.01 * (u - 0.5) * 255 * w;
        int r0 = (before.getRGB(x, y) >> 16) & 0xff;
        int r1 = (frame.getRGB(x, y) >> 16) & 0xff;
        assertThat((double) r1).isCloseTo(Math.min(255, Math.max(0, r0 + expectedDelta)), within(0.5 + 1e-6));
        // Green and blue keep their own detail exactly: zero delta there.
        assertThat(frame.getRGB(x, y) & 0xffff).isEqualTo(before.getRGB(x, y) & 0xffff);
      }
    }
  }

  @Test
  void keysWeightsSumToOneAndInterpolate() {
    double[] w = new double[4];
    for (double t = 0; t < 1; t += 0.125) {
      CropWarper.keys(t, w);
      assertThat(w[0] + w[1] + w[2] + w[3]).isCloseTo(1, within(1e-12));
      // Reproduces linear functions: sum w_k * (k - 1) = t.
      assertThat(-w[0] + w[2] + 2 * w[3]).isCloseTo(t, within(1e-12));
    }
    CropWarper.keys(0, w);
    assertThat(w).containsExactly(0, 1, 0, 0);
  }

  @Test
  void sixteenBitFramesStaySixteenBit() {
    BufferedImage frame = WorkingImages.toWorking(
        sixteenBit(16, 16, 40000));
    assertThat(WorkingImages.maxValue(frame)).isEqualTo(65535);
    FaceCrop crop = new FaceCrop(Face.of(0, 0, 16, 16, 1), SimilarityTransform.scaleTranslate(1, 0, 0), 16);
    float[] delta = new float[3 * 256];
    Arrays.fill(delta, 0.01f);
    CropWarper.pasteDelta(frame, crop, delta, new FeatherMask(0.25));
    // Centre pixel has weight 1: 40000 + 655.35 -> 40655.
    assertThat(frame.getRaster().getSample(8, 8, 0)).isEqualTo(40655);
    // Corner pixel (0.5/16 from the edge) has a small weight: still 16-bit precision.
    assertThat(frame.getRaster().getSample(0, 0, 0)).isBetween(40001, 40100);
  }

  @Test
  void wrongInputsAreRejected() {
    BufferedImage bgr = new BufferedImage(4, 4, BufferedImage.TYPE_3BYTE_BGR);
    FaceCrop crop = new FaceCrop(Face.of(0, 0, 4, 4, 1), SimilarityTransform.scaleTranslate(1, 0, 0), 4);
    assertThatThrownBy(() -> CropWarper.sampleRgb(bgr, crop))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("working layout");
    BufferedImage ok = WorkingImages.toWorking(bgr);
    assertThatThrownBy(() -> CropWarper.pasteDelta(ok, crop, new float[5], new FeatherMask(0.1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 x 4 x 4 = 48");
  }
}
