package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Converts images to the form the pipeline writes into: bands R, G, B (and A when the source has
 * alpha), 8 bits per band ({@link BufferedImage#TYPE_INT_RGB} or {@link BufferedImage#TYPE_INT_ARGB})
 * or 16 bits per band (an sRGB {@code TYPE_USHORT} component image) when the source has more than
 * 8 bits. Grey images become RGB (re-aging adds colour) with R = G = B = the grey sample, read from
 * the raster so no colour-space conversion changes the values; alpha is kept as it is.
 *
 * <p>Premultiplied-alpha sources are converted to straight alpha. Thread-safe (stateless).
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

  /** Returns the largest sample value of a working image: 255 or 65535. */
  public static int maxValue(BufferedImage working) {
    return working.getColorModel().getTransferType() == DataBuffer.TYPE_USHORT ? 65535 : 255;
  }

  /**
   * Returns a new working-layout copy of an image (always a copy, never the argument itself).
   *
   * @param src any image ImageIO can decode: RGB(A), grey(+alpha), palette, 8 or 16 bits
   * @return a new image with bands R, G, B(, A)
   */
  public static BufferedImage toWorking(BufferedImage src) {
    checkNotNull(src, "image");
    ColorModel cm = src.getColorModel();
    if (cm.isAlphaPremultiplied()) {
      // Work on straight alpha: the delta is defined on colours, not on premultiplied values.
      BufferedImage copy = new BufferedImage(cm, src.copyData(null), true, null);
      copy.coerceData(false);
      src = copy;
      cm = src.getColorModel();
    }
    boolean alpha = cm.hasAlpha();
    int w = src.getWidth();
    int h = src.getHeight();
    boolean wide = !(cm instanceof IndexColorModel) && maxBits(cm) > 8;
    BufferedImage dst = wide ? newUShortImage(w, h, alpha)
        : new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
    WritableRaster out = dst.getRaster();
    int bands = alpha ? 4 : 3;
    int[] row = new int[w * bands];
    Raster in = src.getRaster();
    boolean grey = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel);
    boolean sRgbComponents = !(cm instanceof IndexColorModel) && cm.getColorSpace().isCS_sRGB();
    int outMax = wide ? 65535 : 255;
    if (grey || sRgbComponents) {
      int inBands = in.getNumBands();
      int[] inMax = new int[inBands];
      for (int b = 0; b < inBands; b++) {
        inMax[b] = (1 << cm.getComponentSize(b)) - 1;
      }
      int[] inRow = new int[w * inBands];
      for (int y = 0; y < h; y++) {
        in.getPixels(0, y, w, 1, inRow);
        for (int x = 0; x < w; x++) {
          int s = x * inBands;
          int d = x * bands;
          for (int c = 0; c < 3; c++) {
            int b = grey ? 0 : c;
            row[d + c] = rescale(inRow[s + b], inMax[b], outMax);
          }
          if (alpha) {
            row[d + 3] = rescale(inRow[s + inBands - 1], inMax[inBands - 1], outMax);
          }
        }
        out.setPixels(0, y, w, 1, row);
      }
      return dst;
    }
    // Palettes and other colour spaces: let the colour model produce sRGB (8 bits).
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = src.getRGB(x, y);
        int d = x * bands;
        row[d] = rescale((argb >> 16) & 0xff, 255, outMax);
        row[d + 1] = rescale((argb >> 8) & 0xff, 255, outMax);
        row[d + 2] = rescale(argb & 0xff, 255, outMax);
        if (alpha) {
          row[d + 3] = rescale((argb >>> 24) & 0xff, 255, outMax);
        }
      }
      out.setPixels(0, y, w, 1, row);
    }
    return dst;
  }

  /**
   * Returns a new 16-bit sRGB image with bands R, G, B(, A).
   *
   * @param w width
   * @param h height
   * @param alpha whether to add an alpha band
   * @return the image, all zero
   */
  public static BufferedImage newUShortImage(int w, int h, boolean alpha) {
    ColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha, false,
        alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    return new BufferedImage(cm, cm.createCompatibleWritableRaster(w, h), false, null);
  }

  private static int maxBits(ColorModel cm) {
    int m = 0;
    for (int s : cm.getComponentSize()) {
      m = Math.max(m, s);
    }
    return m;
  }

  private static int rescale(int v, int inMax, int outMax) {
    if (inMax == outMax) {
      return v;
    }
    return (int) (((long) v * outMax * 2 + inMax) / (2L * inMax));
  }
}
