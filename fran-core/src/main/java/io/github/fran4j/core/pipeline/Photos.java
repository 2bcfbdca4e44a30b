package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.io.Files;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.io.AtomicFiles;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and writes the photos users really have: JPEGs with an EXIF orientation (turned upright),
 * 8- and 16-bit, grey and alpha PNGs (kept as they are), with a pixel limit checked before the
 * image is decoded.
 *
 * <p>CMYK JPEGs: the JDK decodes their samples, and this class converts them to 8-bit sRGB with
 * the naive formula {@code R = 255 (1 - C)(1 - K)} (likewise G from M, B from Y), ignoring any ICC
 * profile, and logs a warning: colours are approximate. For colour-accurate results convert such
 * files with a colour-managed tool first (e.g. {@code magick in.jpg -colorspace sRGB out.jpg}).
 * JPEGs the JDK cannot decode at all (some YCCK files) give an {@link UnsupportedImageException}
 * saying so. Thread-safe (stateless).
 */
public final class Photos {
  /** The default pixel limit: 100 megapixels. */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(Photos.class);

  private Photos() {}

  /**
   * Reads a photo in its display orientation.
   *
   * @param file the image file (JPEG, PNG, BMP, GIF, or any format an ImageIO plug-in reads)
   * @param maxPixels the largest width x height accepted
   * @return the decoded image, rotated/flipped as its EXIF orientation says
   * @throws UnsupportedImageException for an unknown format, a CMYK JPEG, or an image over the limit
   * @throws IOException if the file cannot be read
   */
  public static BufferedImage read(Path file, long maxPixels) throws IOException {
    return read(file, maxPixels, false);
  }

  /**
   * Reads a photo in its display orientation, choosing what a decoder warning means. ImageIO
   * decodes a truncated or corrupt JPEG "successfully", filling the missing rows with grey, and
   * only reports a warning ("Premature end of JPEG file"); re-aging such an image silently would
   * be garbage out, so by default a warning is an error (the same rule as the training data
   * reader).
   *
   * @param file the image file
   * @param maxPixels the largest width x height accepted
   * @param lenient {@code true} to accept an image the decoder warned about, logging the warnings
   *     naming the file
   * @return the decoded image, upright
   * @throws UnsupportedImageException for an unknown format, an image over the limit, or (unless
   *     lenient) a truncated or corrupt image, naming the file and the decoder's warnings
   * @throws IOException if the file cannot be read
   */
  public static BufferedImage read(Path file, long maxPixels, boolean lenient) throws IOException {
    checkNotNull(file, "file");
    return read(file, PixelLimit.of(maxPixels), lenient);
  }

  /**
   * Reads a photo in its display orientation under a pixel limit that may come from a memory
   * budget ({@link PhotoMemory#limit}): the size is read from the header and an image over the
   * limit is refused before its pixels are decoded, naming its size, the limit and its source.
   *
   * @param file the image file
   * @param limit the largest image accepted
   * @param lenient {@code true} to accept an image the decoder warned about, logging the warnings
   * @return the decoded image, upright
   * @throws UnsupportedImageException for an unknown format, an image over the limit, or (unless
   *     lenient) a truncated or corrupt image, naming the file
   * @throws IOException if the file cannot be read
   */
  public static BufferedImage read(Path file, PixelLimit limit, boolean lenient) throws IOException {
    checkNotNull(file, "file");
    checkNotNull(limit, "limit");
    return read(java.nio.file.Files.readAllBytes(file), file.toString(), limit, lenient);
  }

  /**
   * Reads a photo held in memory (e.g. an HTTP upload) in its display orientation, with the same
   * checks as {@link #read(Path, long)}: the pixel limit is checked from the header, before the
   * pixels are decoded, so a small file claiming a huge image is refused cheaply.
   *
   * @param bytes the encoded image
   * @param name what to call the image in error messages (a file name or a form field)
   * @param maxPixels the largest width x height accepted
   * @return the decoded image, rotated/flipped as its EXIF orientation says
   * @throws UnsupportedImageException for an unknown format, a CMYK JPEG the JDK cannot decode, or
   *     an image over the limit
   * @throws IOException if the bytes cannot be decoded
   */
  public static BufferedImage read(byte[] bytes, String name, long maxPixels) throws IOException {
    return read(bytes, name, maxPixels, false);
  }

  /**
   * Reads a photo held in memory, choosing what a decoder warning means, as
   * {@link #read(Path, long, boolean)} does for a file.
   *
   * @param bytes the encoded image
   * @param name what to call the image in error messages (a file name or a form field)
   * @param maxPixels the largest width x height accepted
   * @param lenient {@code true} to accept an image the decoder warned about, logging the warnings
   * @return the decoded image, rotated/flipped as its EXIF orientation says
   * @throws UnsupportedImageException for an unknown format, a CMYK JPEG the JDK cannot decode, an
   *     image over the limit, or (unless lenient) a truncated or corrupt image
   * @throws IOException if the bytes cannot be decoded
   */
  public static BufferedImage read(byte[] bytes, String name, long maxPixels, boolean lenient)
      throws IOException {
    return read(bytes, name, PixelLimit.of(maxPixels), lenient);
  }

  /**
   * Reads a photo held in memory under a pixel limit that may come from a memory budget, as
   * {@link #read(Path, PixelLimit, boolean)} does for a file.
   *
   * @param bytes the encoded image
   * @param name what to call the image in error messages (a file name or a form field)
   * @param limit the largest image accepted, checked from the header before decoding
   * @param lenient {@code true} to accept an image the decoder warned about, logging the warnings
   * @return the decoded image, rotated/flipped as its EXIF orientation says
   * @throws UnsupportedImageException for an unknown format, a CMYK JPEG the JDK cannot decode, an
   *     image over the limit, or (unless lenient) a truncated or corrupt image
   * @throws IOException if the bytes cannot be decoded
   */
  public static BufferedImage read(byte[] bytes, String name, PixelLimit limit, boolean lenient)
      throws IOException {
    checkNotNull(bytes, "bytes");
    checkNotNull(name, "name");
    checkNotNull(limit, "limit");
    BufferedImage img;
    // A memory cache: the bytes are in memory already, and ImageIO's default file cache would write
    // a temporary file per decode (which fails on a full disk or under a file-size limit).
    try (ImageInputStream in = new MemoryCacheImageInputStream(new java.io.ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new UnsupportedImageException(name + ": not an image format this JVM can read "
            + "(supported: " + String.join(", ", ImageIO.getReaderFormatNames()) + ")");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (!limit.accepts(w, h)) {
          throw new UnsupportedImageException(limit.refusal(name, w, h));
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        img = reader.read(0);
        if (!warnings.isEmpty()) {
          String what = name + ": corrupt or truncated image (" + String.join("; ", warnings) + ")";
          if (!lenient) {
            throw new UnsupportedImageException(what + "; the decoder would fill the damage with "
                + "grey. Re-export the image, or accept it as it is (CLI: --lenient)");
          }
          LOG.warn("{}; using it as decoded because lenient reading is on", what);
        }
      } catch (IIOException e) {
        if (isCmykJpeg(bytes)) {
          throw new UnsupportedImageException(name + ": this CMYK/YCCK JPEG cannot be decoded by the "
              + "JDK (" + e.getMessage() + "); convert it to sRGB first, e.g. `magick in.jpg "
              + "-colorspace sRGB out.jpg`", e);
        }
        throw new UnsupportedImageException(name + ": cannot decode: " + e.getMessage(), e);
      } finally {
        reader.dispose();
      }
    }
    if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_CMYK
        && img.getRaster().getNumBands() == 4) {
      LOG.warn("{}: CMYK image converted to sRGB with the naive formula (no ICC profile); colours "
          + "are approximate", name);
      img = cmykToRgb(img.getRaster());
    }
    return orient(img, ExifOrientation.read(bytes));
  }

  /**
   * Converts CMYK samples (0 = no ink) to 8-bit RGB: {@code R = 255 (1 - C)(1 - K)}, likewise G
   * from M and B from Y, rounded.
   *
   * @param cmyk a raster of four 8-bit bands C, M, Y, K
   * @return a {@link BufferedImage#TYPE_INT_RGB} image
   */
  public static BufferedImage cmykToRgb(Raster cmyk) {
    checkArgument(cmyk.getNumBands() == 4, "CMYK raster must have 4 bands, got %s", cmyk.getNumBands());
    int w = cmyk.getWidth();
    int h = cmyk.getHeight();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] row = new int[4 * w];
    int[] rgb = new int[w];
    for (int y = 0; y < h; y++) {
      cmyk.getPixels(cmyk.getMinX(), cmyk.getMinY() + y, w, 1, row);
      for (int x = 0; x < w; x++) {
        int k = 255 - row[4 * x + 3];
        int r = (int) Math.round((255 - row[4 * x]) * k / 255.0);
        int g = (int) Math.round((255 - row[4 * x + 1]) * k / 255.0);
        int b = (int) Math.round((255 - row[4 * x + 2]) * k / 255.0);
        rgb[x] = (r << 16) | (g << 8) | b;
      }
      out.setRGB(0, y, w, 1, rgb, 0, w);
    }
    return out;
  }

  /**
   * Writes an image atomically (see {@link AtomicFiles}: the file is replaced only by a complete
   * image, so it may be the photo that was read); the format follows the file extension
   * ({@code png}, {@code jpg}/{@code jpeg}, {@code bmp}). PNG keeps alpha and 16 bits; JPEG and BMP
   * drop alpha and store 8 bits.
   *
   * @param image the image
   * @param file the destination
   * @throws IOException if the file cannot be written (the message names it), or is a folder
   * @throws IllegalArgumentException for an unknown extension
   */
  public static void write(BufferedImage image, Path file) throws IOException {
    checkNotNull(image, "image");
    if (java.nio.file.Files.isDirectory(file)) {
      throw new IllegalArgumentException("cannot write '" + file + "': it is a folder, expected an "
          + "image file name ending in .png, .jpg or .bmp");
    }
    String ext = Files.getFileExtension(file.getFileName().toString()).toLowerCase(Locale.ROOT);
    if (formatName(ext) == null) {
      throw new IllegalArgumentException(
          "cannot write '" + file + "': unknown extension '" + ext + "', expected png, jpg or bmp");
    }
    // Encoded in memory first (an image no writer accepts leaves no file behind), then written
    // through a temporary file, so that writing over the input photo keeps it intact on any failure.
    byte[] encoded = encode(image, ext);
    AtomicFiles.write(file, encoded);
  }

  /**
   * Encodes an image as {@link #write} writes it to a file with that extension: same bytes.
   *
   * @param image the image
   * @param extension {@code png}, {@code jpg}/{@code jpeg} or {@code bmp} (any case)
   * @return the encoded file content
   * @throws IOException if no ImageIO writer accepts the image
   * @throws IllegalArgumentException for an unknown extension
   */
  public static byte[] encode(BufferedImage image, String extension) throws IOException {
    checkNotNull(image, "image");
    String format = formatName(extension.toLowerCase(Locale.ROOT));
    checkArgument(format != null, "unknown image format '%s', expected png, jpg or bmp", extension);
    BufferedImage out = image;
    if (!format.equals("png") && (image.getColorModel().hasAlpha()
        || image.getType() != BufferedImage.TYPE_INT_RGB && image.getType() != BufferedImage.TYPE_3BYTE_BGR)) {
      // JPEG and BMP writers take 8-bit RGB only: drop alpha and extra bits through the planar form.
      PlanarImage p = PlanarImage.fromBufferedImage(image);
      out = PlanarImage.of(p.rgb(), p.width(), p.height()).toBufferedImage();
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // A memory cache, as in read: ImageIO's default would stage the encoding in a temporary file.
    try (ImageOutputStream ios = new MemoryCacheImageOutputStream(bytes)) {
      if (!ImageIO.write(out, format, ios)) {
        throw new IOException("no ImageIO writer for " + format + " accepted image type "
            + out.getType());
      }
    }
    return bytes.toByteArray();
  }

  /** Returns the ImageIO format name for a lower-case file extension, or null for none. */
  private static String formatName(String ext) {
    switch (ext) {
      case "png":
        return "png";
      case "jpg":
      case "jpeg":
        return "jpeg";
      case "bmp":
        return "bmp";
      default:
        return null;
    }
  }

  /**
   * Applies an EXIF orientation (1-8) so that the image appears upright.
   *
   * @param img the decoded image as stored
   * @param orientation the EXIF orientation; 1 or an unknown value returns the image itself
   * @return the upright image (same colour model)
   */
  public static BufferedImage orient(BufferedImage img, int orientation) {
    if (orientation < 2 || orientation > 8) {
      return img;
    }
    int w = img.getWidth();
    int h = img.getHeight();
    boolean swap = orientation >= 5;
    int ow = swap ? h : w;
    int oh = swap ? w : h;
    ColorModel cm = img.getColorModel();
    WritableRaster dst = cm.createCompatibleWritableRaster(ow, oh);
    Raster src = img.getRaster();
    Object px = null;
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        int sx;
        int sy;
        switch (orientation) {
          case 2: sx = w - 1 - x; sy = y; break;
          case 3: sx = w - 1 - x; sy = h - 1 - y; break;
          case 4: sx = x; sy = h - 1 - y; break;
          case 5: sx = y; sy = x; break;
          case 6: sx = y; sy = h - 1 - x; break;
          case 7: sx = w - 1 - y; sy = h - 1 - x; break;
          default: sx = w - 1 - y; sy = x; break;
        }
        px = src.getDataElements(sx, sy, px);
        dst.setDataElements(x, y, px);
      }
    }
    return new BufferedImage(cm, dst, cm.isAlphaPremultiplied(), null);
  }

  /** Returns whether JPEG bytes have a four-component frame (CMYK or YCCK). */
  static boolean isCmykJpeg(byte[] b) {
    if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
      return false;
    }
    int i = 2;
    while (i + 4 <= b.length) {
      if ((b[i] & 0xff) != 0xFF) {
        return false;
      }
      int marker = b[i + 1] & 0xff;
      int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
      boolean sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof && i + 9 < b.length) {
        return (b[i + 9] & 0xff) == 4;
      }
      if (marker == 0xDA) {
        return false;
      }
      i += 2 + len;
    }
    return false;
  }

  /** Reads the EXIF orientation tag from JPEG bytes. */
  static final class ExifOrientation {
    private ExifOrientation() {}

    /**
     * Returns the orientation (1-8), or 1 when the bytes are not a JPEG or carry no such tag.
     * Malformed EXIF blocks are ignored (orientation 1), never an exception: a photo with a broken
     * EXIF block is still a photo.
     */
    static int read(byte[] b) {
      try {
        return parse(b);
      } catch (IndexOutOfBoundsException e) {
        return 1;
      }
    }

    private static int parse(byte[] b) {
      if (b.length < 4 || (b[0] & 0xff) != 0xFF || (b[1] & 0xff) != 0xD8) {
        return 1;
      }
      int i = 2;
      while (i + 4 <= b.length && (b[i] & 0xff) == 0xFF) {
        int marker = b[i + 1] & 0xff;
        int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
        if (marker == 0xDA) {
          return 1;
        }
        int data = i + 4;
        if (marker == 0xE1 && len >= 14 && b[data] == 'E' && b[data + 1] == 'x' && b[data + 2] == 'i'
            && b[data + 3] == 'f' && b[data + 4] == 0 && b[data + 5] == 0) {
          int tiff = data + 6;
          boolean le = b[tiff] == 'I' && b[tiff + 1] == 'I';
          int ifd = tiff + u32(b, tiff + 4, le);
          int count = u16(b, ifd, le);
          for (int k = 0; k < count; k++) {
            int e = ifd + 2 + 12 * k;
            if (u16(b, e, le) == 0x0112) {
              int v = u16(b, e + 8, le);
              return v >= 1 && v <= 8 ? v : 1;
            }
          }
          return 1;
        }
        i += 2 + len;
      }
      return 1;
    }

    private static int u16(byte[] b, int i, boolean le) {
      return le ? (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 : (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    private static int u32(byte[] b, int i, boolean le) {
      return le ? u16(b, i, true) | u16(b, i + 2, true) << 16 : u16(b, i, false) << 16 | u16(b, i + 2, false);
    }
  }
}
