package io.github.fran4j.examples.serve;

import io.github.fran4j.core.image.PlanarImage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;

/** Encodes results: PNG (lossless, the default), JPEG on request, and ZIPs of PNGs. Stateless. */
final class ImageEncoding {
  static final String PNG = "image/png";
  static final String JPEG = "image/jpeg";
  static final String ZIP = "application/zip";

  private ImageEncoding() {}

  /** Picks JPEG when the Accept header asks for it and not for PNG, else PNG. */
  static String negotiate(String accept) {
    if (accept == null) {
      return PNG;
    }
    String a = accept.toLowerCase(Locale.ROOT);
    return a.contains(JPEG) && !a.contains(PNG) ? JPEG : PNG;
  }

  /** Encodes an image as PNG or JPEG (JPEG drops alpha and stores 8 bits, as fran reage does). */
  static byte[] encode(BufferedImage image, String contentType) throws IOException {
    BufferedImage out = image;
    String format = "png";
    if (contentType.equals(JPEG)) {
      format = "jpeg";
      if (image.getColorModel().hasAlpha() || image.getType() != BufferedImage.TYPE_INT_RGB
          && image.getType() != BufferedImage.TYPE_3BYTE_BGR) {
        PlanarImage p = PlanarImage.fromBufferedImage(image);
        out = PlanarImage.of(p.rgb(), p.width(), p.height()).toBufferedImage();
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    if (!ImageIO.write(out, format, bytes)) {
      throw new IOException("no ImageIO writer for " + format + " took image type " + out.getType());
    }
    return bytes.toByteArray();
  }

  /**
   * Writes PNGs into a ZIP. Entries are stored, not deflated: PNG is compressed already, and
   * stored entries carry their sizes in the local headers, which the web page reads directly.
   *
   * @param names the entry names
   * @param images the images, one per name
   * @return the ZIP bytes
   * @throws IOException if encoding fails
   */
  static byte[] zipPngs(List<String> names, List<BufferedImage> images) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < images.size(); i++) {
        byte[] png = encode(images.get(i), PNG);
        ZipEntry e = new ZipEntry(names.get(i));
        CRC32 crc = new CRC32();
        crc.update(png);
        e.setMethod(ZipEntry.STORED);
        e.setSize(png.length);
        e.setCompressedSize(png.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(png);
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  /** Returns the entry name of a sweep result, e.g. {@code age_70.png} or {@code age_62.5.png}. */
  static String sweepName(double age) {
    return "age_" + (age == Math.rint(age) ? Long.toString((long) age)
        : Double.toString(age)) + ".png";
  }
}
