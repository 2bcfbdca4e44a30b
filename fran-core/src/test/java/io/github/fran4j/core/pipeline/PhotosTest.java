package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhotosTest {
  @TempDir Path tmp;

  /** A 64x32 image: left half red, right half blue, with a green top-left 16x16 block. */
  private static BufferedImage marker() {
    BufferedImage img = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 64; x++) {
        img.setRGB(x, y, x < 16 && y < 16 ? 0x00ff00 : x < 32 ? 0xff0000 : 0x0000ff);
      }
    }
    return img;
  }

  /** Inserts a hand-built big-endian EXIF APP1 segment with one IFD0 entry after SOI. */
  private static byte[] withOrientation(byte[] jpeg, int orientation) {
    byte[] tiff = {
      'M', 'M', 0, 42, 0, 0, 0, 8, // header, IFD0 at 8
      0, 1, // one entry
      0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, (byte) orientation, 0, 0, // Orientation, SHORT, 1
      0, 0, 0, 0 // no next IFD
    };
    int len = 2 + 6 + tiff.length;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(jpeg, 0, 2);
    out.write(0xFF);
    out.write(0xE1);
    out.write(len >> 8);
    out.write(len & 0xff);
    out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
    out.writeBytes(tiff);
    out.write(jpeg, 2, jpeg.length - 2);
    return out.toByteArray();
  }

  private static boolean near(int rgb, int expected) {
    for (int s = 0; s <= 16; s += 8) {
      if (Math.abs(((rgb >> s) & 0xff) - ((expected >> s) & 0xff)) > 40) {
        return false;
      }
    }
    return true;
  }

  @Test
  void readsFromBytesWithTheSameChecksAsFromAFile() throws Exception {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(marker(), "png", png);

    BufferedImage img = Photos.read(png.toByteArray(), "upload", 10_000);

    assertThat(img.getWidth()).isEqualTo(64);
    assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0x00ff00);
    assertThat(img.getRGB(63, 31) & 0xffffff).isEqualTo(0x0000ff);
    // 64 x 32 = 2,048 pixels: over a limit of 2,047, refused with the given name.
    assertThatThrownBy(() -> Photos.read(png.toByteArray(), "upload", 2_047))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageStartingWith("upload: 64x32 = 2,048 pixels exceeds the pixel limit of 2,047");
    assertThatThrownBy(() -> Photos.read(new byte[] {1, 2, 3}, "upload", 10_000))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageStartingWith("upload: not an image format");
  }

  @Test
  void exifOrientationSixIsTurnedUpright() throws Exception {
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(marker(), "jpeg", jpeg);
    Path f = tmp.resolve("rot.jpg");
    Files.write(f, withOrientation(jpeg.toByteArray(), 6));
    BufferedImage img = Photos.read(f, Photos.DEFAULT_MAX_PIXELS);
    // Rotated 90 degrees clockwise: 32 wide, 64 tall; the stored top-left (green) is now top-right,
    // the stored left half (red) is the top half.
    assertThat(img.getWidth()).isEqualTo(32);
    assertThat(img.getHeight()).isEqualTo(64);
    assertThat(near(img.getRGB(28, 4), 0x00ff00)).isTrue();
    assertThat(near(img.getRGB(4, 20), 0xff0000)).isTrue();
    assertThat(near(img.getRGB(16, 50), 0x0000ff)).isTrue();
    // The same bytes held in memory (a server's upload) are turned upright the same way.
    BufferedImage fromBytes = Photos.read(Files.readAllBytes(f), "upload", 10_000);
    assertThat(fromBytes.getWidth()).isEqualTo(32);
    assertThat(fromBytes.getHeight()).isEqualTo(64);
    assertThat(fromBytes.getRGB(28, 4)).isEqualTo(img.getRGB(28, 4));
    assertThat(fromBytes.getRGB(4, 20)).isEqualTo(img.getRGB(4, 20));
  }

  @Test
  void allEightOrientationsMapTheMarkerCorner() {
    BufferedImage m = marker();
    // Where the green block's centre (8, 8) of the stored 64x32 image ends up, per orientation.
    int[][] expected = {{8, 8}, {55, 8}, {55, 23}, {8, 23}, {8, 8}, {23, 8}, {23, 55}, {8, 55}};
    for (int o = 1; o <= 8; o++) {
      BufferedImage r = Photos.orient(m, o);
      int[] e = expected[o - 1];
      assertThat(r.getRGB(e[0], e[1])).as("orientation %s", o).isEqualTo(0xff00ff00);
    }
  }

  @Test
  void cmykJpegIsConvertedToRgbWithTheNaiveFormula() throws Exception {
    // The fixture is C=0, M=128, Y=255, K=0 everywhere: R = 255, G = 255 * (1 - 128/255) = 127, B = 0.
    BufferedImage img = Photos.read(Path.of("src/test/resources/photos/cmyk.jpg"), Photos.DEFAULT_MAX_PIXELS);
    assertThat(img.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    assertThat(img.getWidth()).isEqualTo(32);
    int p = img.getRGB(10, 10);
    assertThat((p >> 16) & 0xff).isBetween(250, 255);
    assertThat((p >> 8) & 0xff).isBetween(122, 132);
    assertThat(p & 0xff).isBetween(0, 5);
  }

  @Test
  void cmykConversionOfKnownSamples() {
    java.awt.image.WritableRaster r = java.awt.image.Raster.createInterleavedRaster(
        java.awt.image.DataBuffer.TYPE_BYTE, 2, 1, 4, null);
    r.setPixel(0, 0, new int[] {255, 0, 0, 0}); // pure cyan
    r.setPixel(1, 0, new int[] {0, 0, 0, 102}); // 40% black
    BufferedImage rgb = Photos.cmykToRgb(r);
    assertThat(rgb.getRGB(0, 0) & 0xffffff).isEqualTo(0x00ffff);
    assertThat(rgb.getRGB(1, 0) & 0xffffff).isEqualTo(0x999999); // 255 * 0.6 = 153
  }

  @Test
  void pixelLimitIsCheckedBeforeDecoding() {
    Path f = Path.of("src/test/resources/photos/grace_hopper_512x512.jpg");
    assertThatThrownBy(() -> Photos.read(f, 512 * 511))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageContaining("512x512 = 262,144 pixels").hasMessageContaining("raise the pixel limit")
        .hasMessageNotContaining("--max-pixels");
  }

  @Test
  void notAnImageIsRejected() throws Exception {
    Path f = tmp.resolve("x.jpg");
    Files.writeString(f, "hello");
    assertThatThrownBy(() -> Photos.read(f, 100))
        .isInstanceOf(UnsupportedImageException.class).hasMessageContaining("not an image");
  }

  @Test
  void sixteenBitGreyAndAlphaPngsRoundTrip() throws Exception {
    BufferedImage grey16 = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
    grey16.getRaster().setSample(3, 4, 0, 51234);
    Path f = tmp.resolve("g16.png");
    Photos.write(grey16, f);
    BufferedImage back = Photos.read(f, 100);
    assertThat(back.getRaster().getSample(3, 4, 0)).isEqualTo(51234);
    // The pipeline's working layout keeps 16 bits and makes the grey RGB.
    BufferedImage w = WorkingImages.toWorking(back);
    assertThat(WorkingImages.maxValue(w)).isEqualTo(65535);
    assertThat(w.getRaster().getSample(3, 4, 2)).isEqualTo(51234);

    BufferedImage argb = new BufferedImage(4, 4, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(1, 1, 0x80123456);
    Path g = tmp.resolve("a.png");
    Photos.write(argb, g);
    assertThat(WorkingImages.toWorking(Photos.read(g, 100)).getRGB(1, 1)).isEqualTo(0x80123456);
    // JPEG output drops alpha instead of failing.
    Path j = tmp.resolve("a.jpg");
    Photos.write(argb, j);
    assertThat(ImageIO.read(j.toFile()).getColorModel().hasAlpha()).isFalse();
    assertThatThrownBy(() -> Photos.write(argb, tmp.resolve("a.tiff")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("png, jpg or bmp");
  }

  @Test
  void bytesDecodeLikeTheFileAndNameTheSourceInErrors() throws Exception {
    Path f = Path.of("src/test/resources/photos/grace_hopper_512x512.jpg");
    BufferedImage fromFile = Photos.read(f, 1 << 20);
    BufferedImage fromBytes = Photos.read(Files.readAllBytes(f), "s3://b/hopper.jpg", 1 << 20);
    assertThat(fromBytes.getRGB(0, 0, 512, 512, null, 0, 512))
        .isEqualTo(fromFile.getRGB(0, 0, 512, 512, null, 0, 512));
    assertThatThrownBy(() -> Photos.read(new byte[0], "s3://b/empty.png", 100))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageStartingWith("s3://b/empty.png: not an image");
    byte[] png = Photos.encode(marker(), "png");
    byte[] cut = java.util.Arrays.copyOf(png, png.length / 2);
    assertThatThrownBy(() -> Photos.read(cut, "cut.png", 1 << 20))
        .isInstanceOf(UnsupportedImageException.class).hasMessageStartingWith("cut.png: cannot decode");
  }

  @Test
  void encodeGivesTheBytesWriteStores() throws Exception {
    BufferedImage argb = new BufferedImage(16, 8, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(3, 2, 0x80123456);
    for (String ext : new String[] {"png", "jpg", "bmp"}) {
      Path f = tmp.resolve("e." + ext);
      Photos.write(marker(), f);
      assertThat(Photos.encode(marker(), ext.toUpperCase(java.util.Locale.ROOT)))
          .isEqualTo(Files.readAllBytes(f));
      Photos.write(argb, f);
      assertThat(Photos.encode(argb, ext)).isEqualTo(Files.readAllBytes(f));
    }
    // The same bytes ImageIO writes straight to a file (how write stored images before encode).
    Path direct = tmp.resolve("direct.png");
    ImageIO.write(marker(), "png", direct.toFile());
    assertThat(Photos.encode(marker(), "png")).isEqualTo(Files.readAllBytes(direct));
    assertThatThrownBy(() -> Photos.encode(marker(), "tiff"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tiff'");
  }
}
