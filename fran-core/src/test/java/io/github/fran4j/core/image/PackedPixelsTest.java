package io.github.fran4j.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedPixelsTest {

  private static BufferedImage random(int type, long seed) {
    BufferedImage img = new BufferedImage(7, 5, type);
    Random r = new Random(seed);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 7; x++) {
        img.setRGB(x, y, r.nextInt());
      }
    }
    return img;
  }

  @Test
  void wholePackedImagesExposeTheirBackingArray() {
    BufferedImage img = random(BufferedImage.TYPE_INT_ARGB, 1);
    int[] data = PackedPixels.backingArray(img).orElseThrow();
    data[7 * 2 + 3] = 0xFF123456;
    assertThat(img.getRGB(3, 2)).isEqualTo(0xFF123456); // the same memory, not a copy
  }

  @Test
  void otherLayoutsHaveNoBackingArrayAndAreConvertedLikeGetRgb() {
    BufferedImage whole = random(BufferedImage.TYPE_INT_RGB, 2);
    BufferedImage sub = whole.getSubimage(1, 1, 4, 3);
    BufferedImage bgr = random(BufferedImage.TYPE_3BYTE_BGR, 3);
    BufferedImage pre = random(BufferedImage.TYPE_INT_ARGB_PRE, 4);
    for (BufferedImage img : new BufferedImage[] {sub, bgr, pre}) {
      assertThat(PackedPixels.backingArray(img)).isEmpty();
      int w = img.getWidth();
      assertThat(PackedPixels.argb(img))
          .containsExactly(img.getRGB(0, 0, w, img.getHeight(), null, 0, w));
    }
  }
}
