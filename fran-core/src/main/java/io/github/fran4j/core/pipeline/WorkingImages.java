package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.image.PackedPixels;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.awt.image.SinglePixelPackedSampleModel;

/**
 * Converts images to the form the pipeline writes into: bands R, G, B (and A when the source has
 * alpha), 8 bits per band ({@link BufferedImage#TYPE_INT_RGB} or {@link BufferedImage#TYPE_INT_ARGB})
 * or 16 bits per band (an sRGB {@code TYPE_USHORT} component image) when the source has more than
 * 8 bits. Grey images become RGB (re-aging adds colour) with R = G = B = the grey sample, read from
 * the raster so no colour-space conversion changes the values; alpha is kept as it is. This is
 * exactly the layout {@link PlanarImage#toBufferedImage()} produces, so the pipeline's output has
 * the same type as {@code ReAger}'s whole-image path. Thread-safe (stateless).
 */
public final class WorkingImages {
  private WorkingImages() {}

  /**
   * Returns whether an image already has the working layout (then {@link #toWorking} copies it
   * unchanged).
   *
   * @param img the image
   * @return true for 8-bit INT_RGB / INT_ARGB and 16-bit sRGB component images
   */
  public static boolean isWorking(BufferedImage img) {
    int t = img.getType();
    if (t == BufferedImage.TYPE_INT_RGB || t == BufferedImage.TYPE_INT_ARGB) {
      return true;
    }
    ColorModel cm = img.getColorModel();
    return cm instanceof ComponentColorModel && cm.getTransferType() == DataBuffer.TYPE_USHORT
        && cm.getColorSpace().isCS_sRGB() && !cm.isAlphaPremultiplied()
        && img.getRaster().getNumBands() == (cm.hasAlpha() ? 4 : 3);
  }

  /**
   * Returns the largest sample value of a working image.
   *
   * @param working an image in the working layout
   * @return 255 for 8-bit samples, 65535 for 16-bit ones
   */
  public static int maxValue(BufferedImage working) {
    return working.getColorModel().getTransferType() == DataBuffer.TYPE_USHORT ? 65535 : 255;
  }

  /**
   * Returns a new working-layout copy of an image (always a copy, never the argument itself).
   * Images already in the layout are copied sample for sample; others go through
   * {@link PlanarImage}, whose round trip is exact for 8- and 16-bit samples.
   *
   * @param src any image ImageIO can decode: RGB(A), grey(+alpha), palette, 8 or 16 bits
   * @return a new image with bands R, G, B(, A)
   */
  public static BufferedImage toWorking(BufferedImage src) {
    checkNotNull(src, "image");
    if (isWorking(src)) {
      ColorModel cm = src.getColorModel();
      return new BufferedImage(cm, src.copyData(null), cm.isAlphaPremultiplied(), null);
    }
    BufferedImage fast = fromInterleavedBytes(src);
    return fast != null ? fast : PlanarImage.fromBufferedImage(src).toBufferedImage();
  }

  /**
   * Converts 8-bit sRGB byte-interleaved images (what JPEG and PNG decoding usually give, e.g.
   * {@code TYPE_3BYTE_BGR}) straight to INT_RGB / INT_ARGB: the same values as the
   * {@link PlanarImage} round trip without its float planes (a 4K frame would need 100 MB of
   * them). Returns null for any other layout.
   */
  private static BufferedImage fromInterleavedBytes(BufferedImage src) {
    ColorModel cm = src.getColorModel();
    if (!(cm instanceof ComponentColorModel) || !cm.getColorSpace().isCS_sRGB()
        || cm.isAlphaPremultiplied() || cm.getTransferType() != DataBuffer.TYPE_BYTE
        || !(src.getSampleModel() instanceof PixelInterleavedSampleModel)) {
      return null;
    }
    Raster r = src.getRaster();
    PixelInterleavedSampleModel sm = (PixelInterleavedSampleModel) src.getSampleModel();
    int bands = sm.getNumBands();
    boolean alpha = cm.hasAlpha();
    if (bands != (alpha ? 4 : 3)) {
      return null;
    }
    byte[] data = ((DataBufferByte) r.getDataBuffer()).getData();
    int[] off = sm.getBandOffsets();
    int ps = sm.getPixelStride();
    int ss = sm.getScanlineStride();
    int base = r.getDataBuffer().getOffset() - r.getSampleModelTranslateY() * ss
        - r.getSampleModelTranslateX() * ps;
    int w = src.getWidth();
    int h = src.getHeight();
    BufferedImage dst = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    int[] out = ((DataBufferInt) dst.getRaster().getDataBuffer()).getData();
    for (int y = 0; y < h; y++) {
      int row = base + y * ss;
      for (int x = 0; x < w; x++) {
        int i = row + x * ps;
        int a = alpha ? data[i + off[3]] & 0xff : 0xff;
        out[y * w + x] = a << 24 | (data[i + off[0]] & 0xff) << 16 | (data[i + off[1]] & 0xff) << 8
            | (data[i + off[2]] & 0xff);
      }
    }
    return dst;
  }

  /**
   * Returns the packed pixel array of a working INT_RGB / INT_ARGB image whose raster is the
   * whole buffer (index {@code y * width + x}), or null (16-bit images, sub-images).
   */
  static int[] packedData(BufferedImage img) {
    return PackedPixels.backingArray(img).orElse(null);
  }
}
