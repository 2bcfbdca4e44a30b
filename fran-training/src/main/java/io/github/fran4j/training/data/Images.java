package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.image.PackedPixels;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.DirectColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Image file helpers shared by the dataset, the loader and the command line: strict decoding that
 * turns truncated files into errors, square resizing, header-only size probing and RGB/float
 * conversion.
 *
 * <p>All methods are thread-safe: each call uses its own {@link ImageReader} and reads the file into
 * memory first, so ImageIO's global disk cache is never touched.
 */
public final class Images {
  /** File extensions (lower case, no dot) that the dataset reads. */
  public static final List<String> EXTENSIONS = List.of("jpg", "jpeg", "png");

  private Images() {}

  /**
   * Returns whether a file name has one of the {@link #EXTENSIONS} (case-insensitive).
   *
   * @param fileName a file name such as {@code 0001.JPG}
   * @return true for jpg, jpeg and png files
   */
  public static boolean isImageFile(String fileName) {
    return extension(fileName) != null;
  }

  /**
   * Returns the lower-case extension of a supported image file name, or null when unsupported.
   *
   * @param fileName a file name
   * @return {@code jpg}, {@code jpeg}, {@code png} or null
   */
  static String extension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    if (dot <= 0) {
      return null;
    }
    String ext = fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    return EXTENSIONS.contains(ext) ? ext : null;
  }

  /**
   * Decodes an image file into an opaque {@link BufferedImage#TYPE_INT_RGB} image.
   *
   * <p>ImageIO normally returns a grey-filled image with only a warning for a truncated JPEG; here
   * any decoder warning is an error, because training on half-grey faces silently is worse than
   * failing.
   *
   * @param path the file to read
   * @return the decoded image, RGB, any size
   * @throws IOException if the file cannot be read, is not a supported image, or is truncated or
   *     corrupt; the message names the path
   */
  public static BufferedImage decode(Path path) throws IOException {
    checkNotNull(path, "path");
    byte[] bytes = Files.readAllBytes(path);
    BufferedImage img;
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      ImageReader reader = readerFor(in, path);
      List<String> warnings = new ArrayList<>();
      try {
        reader.setInput(in, true, true);
        reader.addIIOReadWarningListener(collectWarnings(warnings));
        img = reader.read(0);
      } catch (IOException | RuntimeException e) {
        throw new IOException("cannot decode image " + path + ": " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
      if (!warnings.isEmpty()) {
        throw new IOException(
            "corrupt or truncated image " + path + ": " + String.join("; ", warnings));
      }
    }
    if (img == null || img.getWidth() <= 0 || img.getHeight() <= 0) {
      throw new IOException("cannot decode image " + path + ": empty image");
    }
    return toRgb(img);
  }

  /**
   * Reads only the header of an image file and returns its width and height.
   *
   * @param path the file to probe
   * @return {@code {width, height}}
   * @throws IOException if the file is not a readable jpg/png; the message names the path
   */
  public static int[] readSize(Path path) throws IOException {
    checkNotNull(path, "path");
    try (ImageInputStream in = ImageIO.createImageInputStream(path.toFile())) {
      if (in == null) {
        throw new IOException("cannot open image " + path);
      }
      ImageReader reader = readerFor(in, path);
      try {
        reader.setInput(in, true, true);
        return new int[] {reader.getWidth(0), reader.getHeight(0)};
      } catch (IOException | RuntimeException e) {
        throw new IOException("cannot read image header " + path + ": " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
    }
  }

  private static ImageReader readerFor(ImageInputStream in, Path path) throws IOException {
    Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new IOException(
          "not a supported image (expected jpg or png content): " + path);
    }
    return readers.next();
  }

  private static IIOReadWarningListener collectWarnings(List<String> sink) {
    return (source, warning) -> sink.add(warning);
  }

  /**
   * Returns an opaque {@link BufferedImage#TYPE_INT_RGB} copy of any image; returns the image
   * itself when it is already of that type.
   *
   * <p>Other types go through fran-core's {@link PlanarImage#fromBufferedImage} (the one RGB
   * encoder of the project): grey levels are read without gamma conversion, 16-bit samples are
   * rounded to 8 bits, palettes are expanded, and an alpha channel is ignored (its colour values
   * are kept, un-premultiplied).
   *
   * @param img any image
   * @return an RGB image of the same size
   */
  public static BufferedImage toRgb(BufferedImage img) {
    checkNotNull(img, "img");
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    PlanarImage planar = PlanarImage.fromBufferedImage(img);
    return fromChw(planar.rgb(), 0, img.getWidth(), img.getHeight());
  }

  /**
   * Centre-crops an image to a square (the shorter side) and resizes it to {@code size x size}.
   *
   * <p>Downscaling halves the image with bilinear filtering until it is less than twice the target,
   * then does one last bilinear step: a single bilinear step from 1024 to 256 would alias (it only
   * reads 4 of every 16 source pixels). Returns the input itself when it already has the size.
   *
   * @param img any RGB image
   * @param size the output side in pixels, at least 1
   * @return a {@code size x size} {@link BufferedImage#TYPE_INT_RGB} image
   */
  public static BufferedImage resizeSquare(BufferedImage img, int size) {
    checkNotNull(img, "img");
    checkArgument(size >= 1, "size must be >= 1, got %s", size);
    BufferedImage cur = toRgb(img);
    int side = Math.min(cur.getWidth(), cur.getHeight());
    if (cur.getWidth() != cur.getHeight()) {
      // Centre crop: faces are centred in aligned datasets; stretching would distort them.
      cur =
          cur.getSubimage((cur.getWidth() - side) / 2, (cur.getHeight() - side) / 2, side, side);
    }
    while (side >= 2 * size) {
      int half = side / 2;
      cur = scaled(cur, half);
      side = half;
    }
    if (side != size || cur.getWidth() != size) {
      cur = scaled(cur, size);
    }
    return cur;
  }

  private static BufferedImage scaled(BufferedImage src, int size) {
    BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, size, size, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Returns the packed {@code 0xRRGGBB} pixels of an image, row-major: the image's own backing
   * array when it is a whole {@link BufferedImage#TYPE_INT_RGB} image (no copy, about 10x faster
   * than {@link BufferedImage#getRGB(int, int, int, int, int[], int, int)}, which converts pixel by
   * pixel), otherwise a converted copy. Callers must not write into the result.
   *
   * @param img an image
   * @return {@code width * height} packed pixels (the top byte is undefined)
   */
  static int[] pixels(BufferedImage img) {
    return PackedPixels.argb(img);
  }


  /**
   * Returns a new {@link BufferedImage#TYPE_INT_RGB} image that takes ownership of packed pixels.
   *
   * @param px {@code width * height} packed {@code 0xRRGGBB} pixels, row-major
   * @param width the width
   * @param height the height
   * @return an image backed by {@code px}
   */
  static BufferedImage wrapRgb(int[] px, int width, int height) {
    DataBufferInt buf = new DataBufferInt(px, px.length);
    WritableRaster raster =
        Raster.createPackedRaster(
            buf, width, height, width, new int[] {0xff0000, 0xff00, 0xff}, null);
    return new BufferedImage(RGB_MODEL, raster, false, null);
  }

  private static final DirectColorModel RGB_MODEL =
      (DirectColorModel) new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).getColorModel();

  /**
   * Writes an RGB image as planar float32 channels (CHW) scaled to [0, 1] (value / 255), the
   * encoding FRAN uses (no mean/std normalisation), through fran-core's one encoder
   * {@link PlanarImage#encodeRgb}, straight into a batch array.
   *
   * @param img an image
   * @param dst the destination array
   * @param offset where channel 0 starts in {@code dst}; {@code 3 * w * h} floats are written
   */
  public static void toChw(BufferedImage img, float[] dst, int offset) {
    int w = img.getWidth();
    int h = img.getHeight();
    checkArgument(
        offset >= 0 && offset + 3L * w * h <= dst.length,
        "dst (length %s) has no room for 3x%sx%s floats at offset %s",
        dst.length,
        h,
        w,
        offset);
    PlanarImage.encodeRgb(pixels(img), dst, offset);
  }

  /**
   * Converts planar float32 RGB in [0, 1] (CHW) back to an image, rounding and clamping each value.
   *
   * @param src the source array
   * @param offset where channel 0 starts
   * @param width the image width
   * @param height the image height
   * @return a new RGB image
   */
  public static BufferedImage fromChw(float[] src, int offset, int width, int height) {
    checkArgument(
        offset >= 0 && offset + 3L * width * height <= src.length,
        "src (length %s) has no 3x%sx%s floats at offset %s",
        src.length,
        height,
        width,
        offset);
    int plane = width * height;
    int[] px = new int[plane];
    for (int i = 0; i < plane; i++) {
      int r = to8(src[offset + i]);
      int g = to8(src[offset + plane + i]);
      int b = to8(src[offset + 2 * plane + i]);
      px[i] = (r << 16) | (g << 8) | b;
    }
    return wrapRgb(px, width, height);
  }

  private static int to8(float v) {
    return PlanarImage.quantize(v, 255);
  }
}
