package io.github.fran4j.onnx.face;

import io.github.fran4j.core.image.PackedPixels;
import java.awt.image.BufferedImage;
import java.awt.image.SinglePixelPackedSampleModel;

/** Downsampling of image regions to small model inputs. Stateless, thread-safe. */
final class ImageSampling {
  /** At most this many samples per axis are averaged per output pixel (a strided box filter). */
  private static final int MAX_TAPS = 4;

  private ImageSampling() {}

  /**
   * Resamples a region of an image to {@code ow x oh} RGB (0-255): each output pixel averages up
   * to 4 x 4 evenly spaced source pixels of its footprint (a box filter thinned for speed on 4K
   * frames; one nearest pixel when upsampling). Positions outside the image repeat the edge.
   *
   * @return interleaved RGB, {@code 3 * ow * oh} values in [0, 255]
   */
  static float[] resizeRgb(BufferedImage img, int x0, int y0, int w, int h, int ow, int oh) {
    int iw = img.getWidth();
    int ih = img.getHeight();
    int[] packed = PackedPixels.backingArray(img).orElse(null);
    float[] out = new float[3 * ow * oh];
    double fx = (double) w / ow;
    double fy = (double) h / oh;
    int nx = Math.max(1, Math.min(MAX_TAPS, (int) Math.ceil(fx)));
    int ny = Math.max(1, Math.min(MAX_TAPS, (int) Math.ceil(fy)));
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int r = 0;
        int g = 0;
        int b = 0;
        for (int sy = 0; sy < ny; sy++) {
          int y = Math.max(0, Math.min(ih - 1, y0 + (int) ((oy + (sy + 0.5) / ny) * fy)));
          for (int sx = 0; sx < nx; sx++) {
            int x = Math.max(0, Math.min(iw - 1, x0 + (int) ((ox + (sx + 0.5) / nx) * fx)));
            int p = packed != null ? packed[y * iw + x] : img.getRGB(x, y);
            r += (p >> 16) & 0xff;
            g += (p >> 8) & 0xff;
            b += p & 0xff;
          }
        }
        int o = 3 * (oy * ow + ox);
        float n = nx * ny;
        out[o] = r / n;
        out[o + 1] = g / n;
        out[o + 2] = b / n;
      }
    }
    return out;
  }

}
