package io.github.fran4j.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PlanarImageTest {

  private static BufferedImage randomImage(int type, int w, int h, long seed) {
    BufferedImage img = new BufferedImage(w, h, type);
    Random r = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt());
      }
    }
    return img;
  }

  @Property(tries = 60)
  void eightBitRgbRoundTripIsExact(
      @ForAll @IntRange(min = 1, max = 23) int w,
      @ForAll @IntRange(min = 1, max = 17) int h,
      @ForAll long seed,
      @ForAll boolean alpha) {
    int type = alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB;
    BufferedImage img = randomImage(type, w, h, seed);
    BufferedImage back = PlanarImage.fromBufferedImage(img).toBufferedImage();
    assertThat(back.getType()).isEqualTo(type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        assertThat(back.getRGB(x, y)).isEqualTo(img.getRGB(x, y));
      }
    }
  }

  @Property(tries = 40)
  void channelOrderAndScaleMatchHandComputedValues(
      @ForAll @IntRange(min = 0, max = 255) int r,
      @ForAll @IntRange(min = 0, max = 255) int g,
      @ForAll @IntRange(min = 0, max = 255) int b,
      @ForAll @IntRange(min = 1, max = 9) int w,
      @ForAll @IntRange(min = 1, max = 9) int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    img.setRGB(w - 1, h - 1, (r << 16) | (g << 8) | b);
    PlanarImage p = PlanarImage.fromBufferedImage(img);
    float[] t = p.toTensor().toFloatArray();
    assertThat(p.toTensor().shape()).containsExactly(1, 3, h, w);
    int plane = w * h;
    int last = plane - 1;
    assertThat(t[last]).isEqualTo(r / 255f);
    assertThat(t[plane + last]).isEqualTo(g / 255f);
    assertThat(t[2 * plane + last]).isEqualTo(b / 255f);
  }

  @Test
  void greyIsReadWithoutGammaConversion() {
    BufferedImage grey = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    WritableRaster r = grey.getRaster();
    r.setSample(0, 0, 0, 0);
    r.setSample(1, 0, 0, 100);
    r.setSample(2, 0, 0, 255);
    PlanarImage p = PlanarImage.fromBufferedImage(grey);
    for (int c = 0; c < 3; c++) {
      assertThat(p.get(c, 1, 0)).isEqualTo(100 / 255f);
      assertThat(p.get(c, 2, 0)).isEqualTo(1f);
    }
  }

  @Test
  void indexedImagesUseThePalette() {
    byte[] reds = {0, (byte) 200};
    byte[] greens = {0, 10};
    byte[] blues = {0, 50};
    IndexColorModel cm = new IndexColorModel(1, 2, reds, greens, blues);
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY, cm);
    img.getRaster().setSample(1, 0, 0, 1);
    PlanarImage p = PlanarImage.fromBufferedImage(img);
    assertThat(p.get(0, 1, 0)).isEqualTo(200 / 255f);
    assertThat(p.get(1, 1, 0)).isEqualTo(10 / 255f);
    assertThat(p.get(2, 1, 0)).isEqualTo(50 / 255f);
  }

  @Property(tries = 30)
  void sixteenBitRoundTripIsExactAndKeepsAlpha(
      @ForAll @IntRange(min = 1, max = 8) int w, @ForAll @IntRange(min = 1, max = 8) int h,
      @ForAll long seed) {
    ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB),
        true, false, Transparency.TRANSLUCENT, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
    Random rnd = new Random(seed);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < 4; b++) {
          raster.setSample(x, y, b, rnd.nextInt(65536));
        }
      }
    }
    BufferedImage img = new BufferedImage(cm, raster, false, null);
    PlanarImage p = PlanarImage.fromBufferedImage(img);
    assertThat(p.bitDepth()).isEqualTo(16);
    assertThat(p.get(0, 0, 0)).isEqualTo(raster.getSample(0, 0, 0) / 65535f);
    BufferedImage back = p.toBufferedImage();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int b = 0; b < 4; b++) {
          assertThat(back.getRaster().getSample(x, y, b)).isEqualTo(raster.getSample(x, y, b));
        }
      }
    }
  }

  @Test
  void alphaIsCarriedThroughUntouchedWhenRgbChanges() {
    BufferedImage img = randomImage(BufferedImage.TYPE_INT_ARGB, 5, 4, 7);
    PlanarImage p = PlanarImage.fromBufferedImage(img);
    float[] rgb = p.rgb();
    java.util.Arrays.fill(rgb, 0.5f);
    BufferedImage out = p.withRgb(rgb).toBufferedImage();
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 5; x++) {
        assertThat(out.getRGB(x, y) >>> 24).isEqualTo(img.getRGB(x, y) >>> 24);
        assertThat(out.getRGB(x, y) & 0xFF).isEqualTo(128); // round(127.5) = 128
      }
    }
  }

  @Test
  void quantizeClampsAndRounds() {
    assertThat(PlanarImage.quantize(-0.2f, 255)).isZero();
    assertThat(PlanarImage.quantize(Float.NaN, 255)).isZero();
    assertThat(PlanarImage.quantize(1.7f, 255)).isEqualTo(255);
    assertThat(PlanarImage.quantize(0.5f, 255)).isEqualTo(128);
    assertThat(PlanarImage.quantize(0.499f, 255)).isEqualTo(127);
    assertThat(PlanarImage.quantize(0.5f, 65535)).isEqualTo(32768);
  }

  @Test
  void nullImageIsRejected() {
    assertThatThrownBy(() -> PlanarImage.fromBufferedImage(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("image");
  }

  @Test
  void replicatePadAndCropAreInverse() {
    float[] src = {1, 2, 3, 4, 5, 6}; // 1 channel, 3 wide, 2 high
    float[] padded = PlanarImage.replicatePad(src, 1, 3, 2, 4, 4);
    assertThat(padded).containsExactly(1, 2, 3, 3, 4, 5, 6, 6, 4, 5, 6, 6, 4, 5, 6, 6);
    assertThat(PlanarImage.cropPlanes(padded, 1, 4, 4, 3, 2)).containsExactly(src);
  }
}
