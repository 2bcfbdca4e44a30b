package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.PlanarImage;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;

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

  /** Returns the largest sample value of a working image: 255 or 65535. */
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
    return PlanarImage.fromBufferedImage(src).toBufferedImage();
  }
}
