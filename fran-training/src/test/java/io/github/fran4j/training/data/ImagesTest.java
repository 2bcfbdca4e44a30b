package io.github.fran4j.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.image.PlanarImage;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class ImagesTest {
  private static BufferedImage pattern(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, (x * 7 & 0xff) << 16 | (y * 5 & 0xff) << 8 | ((x + y) & 0xff));
      }
    }
    return img;
  }

  @Test
  void toChwScalesTo01PlanarForWholeImagesAndSubimages() {
    BufferedImage wide = pattern(12, 8);
    // A centre crop that needs no scaling comes back as a subimage sharing wide's pixels.
    BufferedImage crop = Images.resizeSquare(wide, 8);
    assertThat(crop.getWidth()).isEqualTo(8);
    for (BufferedImage img : new BufferedImage[] {pattern(8, 8), crop}) {
      float[] chw = new float[3 * 64 + 5];
      Images.toChw(img, chw, 5);
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int p = img.getRGB(x, y);
          assertThat(chw[5 + y * 8 + x]).isEqualTo(((p >> 16) & 0xff) / 255f);
          assertThat(chw[5 + 64 + y * 8 + x]).isEqualTo(((p >> 8) & 0xff) / 255f);
          assertThat(chw[5 + 128 + y * 8 + x]).isEqualTo((p & 0xff) / 255f);
        }
      }
    }
    // The crop starts 2 columns in: (0, 0) of the crop is (2, 0) of the original.
    assertThat(crop.getRGB(0, 0)).isEqualTo(wide.getRGB(2, 0));
  }

  @Test
  void fromChwRoundsClampsAndRoundTrips() {
    BufferedImage img = pattern(5, 4);
    float[] chw = new float[3 * 20];
    Images.toChw(img, chw, 0);
    BufferedImage back = Images.fromChw(chw, 0, 5, 4);
    assertThat(back.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        assertThat(back.getRGB(x, y)).isEqualTo(img.getRGB(x, y));
      }
    }
    chw[0] = -0.2f;
    chw[20] = 1.7f;
    chw[40] = 0.5f; // 127.5 rounds to 128
    assertThat(Images.fromChw(chw, 0, 5, 4).getRGB(0, 0) & 0xffffff).isEqualTo(0x00ff80);
  }

  @Test
  void downscalingAveragesInsteadOfSkippingPixels() {
    // A 1-pixel checkerboard: a single bilinear step 64 -> 8 would sample a few pixels and come out
    // black or white in places; progressive halving gives mid grey everywhere.
    BufferedImage check = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        check.setRGB(x, y, ((x + y) & 1) == 0 ? 0xffffff : 0);
      }
    }
    BufferedImage small = Images.resizeSquare(check, 8);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        assertThat((small.getRGB(x, y) >> 8) & 0xff).isBetween(100, 155);
      }
    }
  }

  @Test
  void toChwAgreesWithTheCoreEncoder() {
    BufferedImage img = pattern(9, 7);
    float[] chw = new float[3 * 63];
    Images.toChw(img, chw, 0);
    assertThat(chw).containsExactly(PlanarImage.fromBufferedImage(img).rgb());
  }

  @Test
  void greyAndSixteenBitImagesKeepTheirLevels() {
    BufferedImage grey = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(0, 0, 0, 100);
    grey.getRaster().setSample(1, 0, 0, 200);
    BufferedImage g = Images.toRgb(grey);
    assertThat(g.getRGB(0, 0) & 0xffffff).isEqualTo(0x646464);
    assertThat(g.getRGB(1, 0) & 0xffffff).isEqualTo(0xc8c8c8);

    BufferedImage deep = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSample(0, 0, 0, 32896); // 32896 / 65535 * 255 = 128.0
    assertThat(Images.toRgb(deep).getRGB(0, 0) & 0xffffff).isEqualTo(0x808080);
  }
}
