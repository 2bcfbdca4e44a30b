package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PairAugmentationTest {

  private static BufferedImage pattern(int n) {
    BufferedImage img = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        img.setRGB(x, y, (x * 255 / (n - 1)) << 16 | (y * 255 / (n - 1)) << 8 | ((x * y) & 0xff));
      }
    }
    return img;
  }

  @Test
  void jitterMatchesTorchvision() throws IOException {
    JsonObject fx;
    try (InputStream in = getClass().getResourceAsStream("/fixtures/jitter_fixture.json")) {
      fx = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
    }
    int h = fx.get("height").getAsInt();
    int w = fx.get("width").getAsInt();
    JsonArray rgb8 = fx.getAsJsonArray("rgb8_chw");
    for (JsonElement e : fx.getAsJsonArray("cases")) {
      JsonObject c = e.getAsJsonObject();
      float[] x = new float[rgb8.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = rgb8.get(i).getAsInt() / 255f;
      }
      PairAugmentation.Params p =
          new PairAugmentation.Params(
              c.get("brightness").getAsDouble(),
              c.get("contrast").getAsDouble(),
              c.get("saturation").getAsDouble(),
              0,
              false);
      PairAugmentation.jitter(x, 0, h * w, p);
      JsonArray want = c.getAsJsonArray("out_chw");
      for (int i = 0; i < x.length; i++) {
        assertThat(x[i]).as("case %s, value %s", c, i).isCloseTo(want.get(i).getAsFloat(), within(2e-6f));
      }
    }
  }

  @Test
  void jitterByHand() {
    // Two pixels, (0.5, 0.2, 0.1) and (0.9, 0.8, 0.4), planar.
    float[] px = {0.5f, 0.9f, 0.2f, 0.8f, 0.1f, 0.4f};
    float[] b = px.clone();
    PairAugmentation.jitter(b, 0, 2, new PairAugmentation.Params(1.2, 1, 1, 0, false));
    assertThat(b).containsExactly(new float[] {0.6f, 1.0f, 0.24f, 0.96f, 0.12f, 0.48f}, within(1e-6f));

    // grey = 0.2989 R + 0.587 G + 0.114 B: 0.27825 and 0.78421; mean 0.53123.
    float[] c = px.clone();
    PairAugmentation.jitter(c, 0, 2, new PairAugmentation.Params(1, 0.5, 1, 0, false));
    float m = 0.53123f;
    assertThat(c[0]).isCloseTo(0.5f * 0.5f + 0.5f * m, within(1e-5f));
    assertThat(c[5]).isCloseTo(0.5f * 0.4f + 0.5f * m, within(1e-5f));

    float[] s = px.clone();
    PairAugmentation.jitter(s, 0, 2, new PairAugmentation.Params(1, 1, 0, 0, false));
    // Saturation 0: every channel becomes the pixel's grey.
    assertThat(s).containsExactly(new float[] {0.27825f, 0.78421f, 0.27825f, 0.78421f, 0.27825f, 0.78421f},
        within(1e-5f));
  }

  @Test
  void identityDrawOnlyResizes() {
    BufferedImage img = pattern(16);
    PairAugmentation aug = PairAugmentation.none(16);
    assertThat(aug.draw(42)).isEqualTo(PairAugmentation.Params.IDENTITY);
    float[] out = new float[3 * 16 * 16];
    aug.apply(img, PairAugmentation.Params.IDENTITY, out, 0);
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        int[] want = TestData.rgb(img.getRGB(x, y));
        assertThat(out[y * 16 + x]).isEqualTo(want[0] / 255f);
        assertThat(out[256 + y * 16 + x]).isEqualTo(want[1] / 255f);
        assertThat(out[512 + y * 16 + x]).isEqualTo(want[2] / 255f);
      }
    }
  }

  @Test
  void rotationByNinetyDegreesMatchesANaiveRotation() {
    int n = 12;
    BufferedImage img = pattern(n);
    PairAugmentation aug = PairAugmentation.none(n);
    BufferedImage rot = aug.geometry(img, new PairAugmentation.Params(1, 1, 1, 90, false));
    // Counter-clockwise on screen: out(x, y) = in(n - 1 - y, x).
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        int[] got = TestData.rgb(rot.getRGB(x, y));
        int[] want = TestData.rgb(img.getRGB(n - 1 - y, x));
        for (int c = 0; c < 3; c++) {
          assertThat(got[c]).as("(%s,%s) channel %s", x, y, c).isCloseTo(want[c], within(1));
        }
      }
    }
  }

  @Test
  void smallRotationsLeaveNoBlackCorners() {
    int n = 32;
    BufferedImage bright = TestData.solid(n, n, 0xc89664);
    // A uniform image stays uniform when the corners are filled by reflection (black fill would
    // darken them).
    BufferedImage rot =
        PairAugmentation.none(n).geometry(bright, new PairAugmentation.Params(1, 1, 1, 3, false));
    for (int[] p : new int[][] {{0, 0}, {n - 1, 0}, {0, n - 1}, {n - 1, n - 1}, {n / 2, n / 2}}) {
      assertThat(rot.getRGB(p[0], p[1]) & 0xffffff).isEqualTo(0xc89664);
    }
    // On a pattern the corner pixels stay close to the original corners.
    BufferedImage pat = pattern(n);
    BufferedImage prot =
        PairAugmentation.none(n).geometry(pat, new PairAugmentation.Params(1, 1, 1, -3, false));
    int[] got = TestData.rgb(prot.getRGB(n - 1, n - 1));
    int[] orig = TestData.rgb(pat.getRGB(n - 1, n - 1));
    assertThat(got[0]).isCloseTo(orig[0], within(20));
    assertThat(got[1]).isCloseTo(orig[1], within(20));
  }

  @Test
  void flipMirrorsLeftRight() {
    int n = 10;
    BufferedImage img = pattern(n);
    BufferedImage f =
        PairAugmentation.none(n).geometry(img, new PairAugmentation.Params(1, 1, 1, 0, true));
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        assertThat(f.getRGB(x, y)).isEqualTo(img.getRGB(n - 1 - x, y));
      }
    }
  }

  @Test
  void drawsAreDeterministicAndWithinTheReferenceRanges() {
    PairAugmentation aug = PairAugmentation.builder(64).build();
    int flips = 0;
    for (long s = 0; s < 2000; s++) {
      PairAugmentation.Params p = aug.draw(s);
      assertThat(aug.draw(s)).isEqualTo(p);
      assertThat(p.brightness()).isBetween(0.9, 1.1);
      assertThat(p.contrast()).isBetween(0.9, 1.1);
      assertThat(p.saturation()).isBetween(0.9, 1.1);
      assertThat(p.rotationDegrees()).isBetween(-3.0, 3.0);
      flips += p.flip() ? 1 : 0;
    }
    assertThat(flips).as("flip is off by default").isZero();
    PairAugmentation withFlip = PairAugmentation.builder(64).optHorizontalFlip(true).build();
    int on = 0;
    for (long s = 0; s < 2000; s++) {
      on += withFlip.draw(s).flip() ? 1 : 0;
    }
    assertThat(on).isBetween(900, 1100);
    // Turning the flip on does not change the other parameters of a draw.
    assertThat(withFlip.draw(5).rotationDegrees()).isEqualTo(aug.draw(5).rotationDegrees());
  }

  @Test
  void onePairSharesOneDraw() {
    PairAugmentation aug = PairAugmentation.builder(16).optHorizontalFlip(true).build();
    BufferedImage a = pattern(32);
    PairAugmentation.Params p = aug.draw(99);
    float[] x = new float[2 * 3 * 256];
    aug.apply(a, p, x, 0);
    aug.apply(a, p, x, 768);
    for (int i = 0; i < 768; i++) {
      assertThat(x[768 + i]).isEqualTo(x[i]);
    }
    assertThat(aug.applyToImage(a, p).getWidth()).isEqualTo(16);
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> PairAugmentation.builder(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 4");
    assertThatThrownBy(() -> PairAugmentation.builder(16).optBrightness(1.5))
        .hasMessageContaining("brightness delta must be in [0, 1), got 1.5");
    assertThatThrownBy(() -> PairAugmentation.builder(16).optMaxRotationDegrees(90))
        .hasMessageContaining("got 90");
    assertThatThrownBy(() -> new PairAugmentation.Params(-1, 1, 1, 0, false))
        .hasMessageContaining("brightness -1");
    assertThatThrownBy(() -> PairAugmentation.none(16).apply(pattern(16),
        PairAugmentation.Params.IDENTITY, new float[10], 0))
        .hasMessageContaining("no room");
  }

  @Test
  void reflectIndexing() {
    // Reflect-101 of 0..4: -2 -> 2, -1 -> 1, 5 -> 3, 6 -> 2.
    assertThat(PairAugmentation.reflect(-2, 5)).isEqualTo(2);
    assertThat(PairAugmentation.reflect(-1, 5)).isEqualTo(1);
    assertThat(PairAugmentation.reflect(5, 5)).isEqualTo(3);
    assertThat(PairAugmentation.reflect(6, 5)).isEqualTo(2);
    assertThat(PairAugmentation.reflect(3, 5)).isEqualTo(3);
  }
}
