package io.github.fran4j.core.image;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.tensor.Tensor;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Arrays;

/**
 * An image as planar float RGB in [0, 1] (channel-major, {@code [3, H, W]}, the reference's
 * encoding: 8-bit values / 255, 16-bit values / 65535), plus the source's alpha channel kept
 * untouched and its bit depth, so that {@link #toBufferedImage()} gives back an image of the same
 * kind.
 *
 * <p>Every common {@link BufferedImage} type is accepted: packed and byte RGB/BGR with or without
 * alpha (premultiplied alpha is un-premultiplied), 8- and 16-bit grey (with or without alpha),
 * indexed (palette) images and 16-bit RGB(A). Grey levels are read from the raster directly,
 * not through {@link BufferedImage#getRGB}, which would apply a gamma conversion. Grey images
 * become R = G = B.
 *
 * <p>Immutable and thread-safe; accessors return copies.
 */
public final class PlanarImage {
  private final int width;
  private final int height;
  private final float[] rgb;
  private final int bitDepth;
  private final int[] alpha;

  private PlanarImage(int width, int height, float[] rgb, int bitDepth, int[] alpha) {
    this.width = width;
    this.height = height;
    this.rgb = rgb;
    this.bitDepth = bitDepth;
    this.alpha = alpha;
  }

  /**
   * Creates an opaque 8-bit image from planar RGB values.
   *
   * @param rgb {@code 3 * height * width} values, channel-major (copied)
   * @param width the width
   * @param height the height
   * @return the image
   */
  public static PlanarImage of(float[] rgb, int width, int height) {
    checkNotNull(rgb, "rgb");
    checkArgument(width > 0 && height > 0, "image size must be positive, got %sx%s", width, height);
    checkArgument(
        rgb.length == 3 * width * height,
        "expected 3 x %s x %s = %s values, got %s",
        height, width, 3 * width * height, rgb.length);
    return new PlanarImage(width, height, rgb.clone(), 8, null);
  }

  /**
   * Encodes a {@link BufferedImage}.
   *
   * @param image any common image type
   * @return the planar image
   * @throws IllegalArgumentException if the image is null or empty
   */
  public static PlanarImage fromBufferedImage(BufferedImage image) {
    checkNotNull(image, "image");
    int w = image.getWidth();
    int h = image.getHeight();
    checkArgument(w > 0 && h > 0, "image is empty (%sx%s)", w, h);
    Raster raster = image.getRaster();
    ColorModel cm = image.getColorModel();
    boolean hasAlpha = cm.hasAlpha();
    int plane = w * h;
    float[] rgb = new float[3 * plane];
    int[] alpha = hasAlpha ? new int[plane] : null;
    boolean sixteen = raster.getTransferType() == DataBuffer.TYPE_USHORT
        && !(cm instanceof IndexColorModel);
    boolean grey = cm.getNumColorComponents() == 1 && !(cm instanceof IndexColorModel)
        && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
    if (sixteen || grey) {
      // Read samples directly: exact for 16-bit, and no gamma conversion for grey.
      float max = sixteen ? 65535f : 255f;
      int bands = raster.getNumBands();
      int[] px = new int[bands];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          raster.getPixel(x, y, px);
          int i = y * w + x;
          if (grey) {
            float v = px[0] / max;
            rgb[i] = v;
            rgb[plane + i] = v;
            rgb[2 * plane + i] = v;
          } else {
            rgb[i] = px[0] / max;
            rgb[plane + i] = px[1] / max;
            rgb[2 * plane + i] = px[2] / max;
          }
          if (alpha != null) {
            alpha[i] = px[bands - 1];
          }
        }
      }
      return new PlanarImage(w, h, rgb, sixteen ? 16 : 8, alpha);
    }
    int[] argb = PackedPixels.argb(image);
    encodeRgb(argb, rgb, 0);
    if (alpha != null) {
      for (int i = 0; i < plane; i++) {
        alpha[i] = argb[i] >>> 24;
      }
    }
    return new PlanarImage(w, h, rgb, 8, alpha);
  }

  /**
   * Encodes packed 8-bit pixels ({@code 0xAARRGGBB}; alpha ignored) as planar RGB in [0, 1]
   * (value / 255, channel-major): the one image encoding of the SDK, used by
   * {@link #fromBufferedImage} and by the training data loader, which writes straight into a
   * batch array.
   *
   * @param argb the packed pixels, one per pixel
   * @param dst the destination
   * @param offset where the red plane starts; {@code 3 * argb.length} values are written
   */
  public static void encodeRgb(int[] argb, float[] dst, int offset) {
    checkNotNull(argb, "argb");
    checkNotNull(dst, "dst");
    int plane = argb.length;
    checkArgument(offset >= 0 && offset + 3L * plane <= dst.length,
        "dst (length %s) has no room for 3 x %s values at offset %s", dst.length, plane, offset);
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      dst[offset + i] = ((p >> 16) & 0xFF) / 255f;
      dst[offset + plane + i] = ((p >> 8) & 0xFF) / 255f;
      dst[offset + 2 * plane + i] = (p & 0xFF) / 255f;
    }
  }

  /** {@return the width} */
  public int width() {
    return width;
  }

  /** {@return the height} */
  public int height() {
    return height;
  }

  /** {@return 8 or 16: the bit depth {@link #toBufferedImage()} writes} */
  public int bitDepth() {
    return bitDepth;
  }

  /** {@return whether the source had an alpha channel (carried through untouched)} */
  public boolean hasAlpha() {
    return alpha != null;
  }

  /** {@return the planar RGB values (a copy), channel-major {@code [3, H, W]}} */
  public float[] rgb() {
    return rgb.clone();
  }

  /**
   * Returns the value of one channel at one pixel.
   *
   * @param channel 0 (R), 1 (G) or 2 (B)
   * @param x the column
   * @param y the row
   * @return the value in [0, 1]
   */
  public float get(int channel, int x, int y) {
    return rgb[(channel * height + y) * width + x];
  }

  /** {@return the RGB planes as a {@code [1, 3, H, W]} float32 tensor} */
  public Tensor toTensor() {
    return Tensor.wrap(rgb.clone(), 1, 3, height, width);
  }

  /**
   * Returns an image with the same size, alpha and bit depth and new RGB values.
   *
   * @param newRgb {@code 3 * H * W} values, channel-major, not yet clamped (copied)
   * @return the new image
   */
  public PlanarImage withRgb(float[] newRgb) {
    checkNotNull(newRgb, "rgb");
    checkArgument(
        newRgb.length == rgb.length, "expected %s RGB values, got %s", rgb.length, newRgb.length);
    return new PlanarImage(width, height, newRgb.clone(), bitDepth, alpha);
  }

  /**
   * Decodes back to a {@link BufferedImage}: each value becomes {@code round(max * clamp(v, 0, 1))}
   * with max 255 (8-bit) or 65535 (16-bit); alpha is restored exactly.
   *
   * <p>8-bit images come back as {@link BufferedImage#TYPE_INT_RGB} or
   * {@link BufferedImage#TYPE_INT_ARGB}; 16-bit ones as 16-bit RGB(A) with a component colour
   * model.
   *
   * @return a new image
   */
  public BufferedImage toBufferedImage() {
    int plane = width * height;
    if (bitDepth == 8) {
      BufferedImage out = new BufferedImage(
          width, height, alpha != null ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
      int[] row = new int[width];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int i = y * width + x;
          int a = alpha != null ? alpha[i] : 0xFF;
          row[x] = (a << 24) | (quantize(rgb[i], 255) << 16)
              | (quantize(rgb[plane + i], 255) << 8) | quantize(rgb[2 * plane + i], 255);
        }
        out.setRGB(0, y, width, 1, row, 0, width);
      }
      return out;
    }
    boolean a = alpha != null;
    ColorModel cm = new ComponentColorModel(
        ColorSpace.getInstance(ColorSpace.CS_sRGB), a, false,
        a ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
    WritableRaster raster = cm.createCompatibleWritableRaster(width, height);
    int bands = a ? 4 : 3;
    int[] px = new int[bands];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int i = y * width + x;
        px[0] = quantize(rgb[i], 65535);
        px[1] = quantize(rgb[plane + i], 65535);
        px[2] = quantize(rgb[2 * plane + i], 65535);
        if (a) {
          px[3] = alpha[i];
        }
        raster.setPixel(x, y, px);
      }
    }
    return new BufferedImage(cm, raster, false, null);
  }

  /**
   * Quantizes a value in [0, 1] the reference's way: {@code round(max * clamp(v, 0, 1))}; NaN
   * becomes 0.
   *
   * @param v the value
   * @param max 255 or 65535
   * @return the integer level
   */
  public static int quantize(float v, int max) {
    if (!(v > 0f)) {
      return 0;
    }
    if (v >= 1f) {
      return max;
    }
    return Math.round(max * v);
  }

  /**
   * Pads planar data by replicating the last column and row.
   *
   * @param src {@code channels * h * w} values
   * @param channels the number of planes
   * @param w the source width
   * @param h the source height
   * @param pw the padded width, at least {@code w}
   * @param ph the padded height, at least {@code h}
   * @return {@code channels * ph * pw} values
   */
  public static float[] replicatePad(float[] src, int channels, int w, int h, int pw, int ph) {
    float[] out = new float[channels * pw * ph];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < ph; y++) {
        int sy = Math.min(y, h - 1);
        int srcRow = (c * h + sy) * w;
        int dstRow = (c * ph + y) * pw;
        System.arraycopy(src, srcRow, out, dstRow, w);
        Arrays.fill(out, dstRow + w, dstRow + pw, src[srcRow + w - 1]);
      }
    }
    return out;
  }

  /**
   * Crops planar data to its top-left {@code cw x ch} part.
   *
   * @param src {@code channels * h * w} values
   * @param channels the number of planes
   * @param w the source width
   * @param h the source height
   * @param cw the cropped width
   * @param ch the cropped height
   * @return {@code channels * ch * cw} values
   */
  public static float[] cropPlanes(float[] src, int channels, int w, int h, int cw, int ch) {
    float[] out = new float[channels * cw * ch];
    for (int c = 0; c < channels; c++) {
      for (int y = 0; y < ch; y++) {
        System.arraycopy(src, (c * h + y) * w, out, (c * ch + y) * cw, cw);
      }
    }
    return out;
  }

  /** Returns size, depth and alpha, e.g. {@code PlanarImage[640x480, 8-bit, alpha]}. */
  @Override
  public String toString() {
    return "PlanarImage[" + width + "x" + height + ", " + bitDepth + "-bit"
        + (alpha != null ? ", alpha]" : "]");
  }
}
