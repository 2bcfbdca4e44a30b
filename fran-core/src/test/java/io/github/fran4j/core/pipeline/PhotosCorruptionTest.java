package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A truncated JPEG decodes "successfully" with grey rows in ImageIO: Photos must not accept it. */
class PhotosCorruptionTest {
  @TempDir Path tmp;

  /** Writes a noisy 64x64 JPEG cut to 60 % of its bytes. */
  static Path truncatedJpeg(Path dir) throws Exception {
    BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
    java.util.Random r = new java.util.Random(3);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, r.nextInt() & 0xffffff);
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "jpeg", out);
    byte[] all = out.toByteArray();
    Path p = dir.resolve("cut.jpg");
    Files.write(p, Arrays.copyOf(all, all.length * 6 / 10));
    return p;
  }

  @Test
  void aTruncatedJpegIsAnErrorNamingTheFile() throws Exception {
    Path cut = truncatedJpeg(tmp);
    // ImageIO itself returns an image (the premise of the check).
    assertThat(ImageIO.read(cut.toFile())).isNotNull();
    assertThatThrownBy(() -> Photos.read(cut, Photos.DEFAULT_MAX_PIXELS))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("corrupt or truncated")
        .hasMessageContaining("--lenient");
  }

  @Test
  void lenientReadingAcceptsItWithAWarning() throws Exception {
    Path cut = truncatedJpeg(tmp);
    BufferedImage img = Photos.read(cut, Photos.DEFAULT_MAX_PIXELS, true);
    assertThat(img.getWidth()).isEqualTo(64);
  }
}
