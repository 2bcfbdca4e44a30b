package io.github.fran4j.onnx.face;

import java.awt.image.BufferedImage;

/** Area-average downsampling of image regions to small model inputs. Stateless, thread-safe. */
final class ImageSampling {
  private ImageSampling() {}

  /**
   * Resamples a region of an image to {@code ow x oh} RGB (0-255), averaging the source pixels
   * that fall into each output pixel (a box filter; nearest pixel when upsampling). Positions
   * outside the image repeat the edge.
   *
   * @return interleaved RGB, {@code 3 * ow * oh} values in [0, 255]
   */
  static float[] resizeRgb(BufferedImage img, int x0, int y0, int w, int h, int ow, int oh) {
    int iw = img.getWidth();
    int ih = img.getHeight();
    double[] acc = new double[3 * ow * oh];
    int[] cnt = new int[ow * oh];
    int[] row = new int[w];
    // Clip the read to the image; edge repetition below covers the rest.
    int rx0 = Math.max(0, x0);
    int rx1 = Math.min(iw, x0 + w);
    for (int y = 0; y < h; y++) {
      int sy = Math.max(0, Math.min(ih - 1, y0 + y));
      if (rx1 > rx0) {
        img.getRGB(rx0, sy, rx1 - rx0, 1, row, 0, w);
      }
      int oy = (int) ((long) y * oh / h);
      for (int x = 0; x < w; x++) {
        int sx = Math.max(rx0, Math.min(rx1 - 1, x0 + x));
        int p = row[sx - rx0];
        int o = oy * ow + (int) ((long) x * ow / w);
        acc[3 * o] += (p >> 16) & 0xff;
        acc[3 * o + 1] += (p >> 8) & 0xff;
        acc[3 * o + 2] += p & 0xff;
        cnt[o]++;
      }
    }
    float[] out = new float[3 * ow * oh];
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        int o = oy * ow + ox;
        if (cnt[o] == 0) {
          // Upsampling: take the nearest source pixel.
          int sx = Math.max(0, Math.min(iw - 1, x0 + (int) ((ox + 0.5) * w / ow)));
          int sy = Math.max(0, Math.min(ih - 1, y0 + (int) ((oy + 0.5) * h / oh)));
          int p = img.getRGB(sx, sy);
          out[3 * o] = (p >> 16) & 0xff;
          out[3 * o + 1] = (p >> 8) & 0xff;
          out[3 * o + 2] = p & 0xff;
        } else {
          out[3 * o] = (float) (acc[3 * o] / cnt[o]);
          out[3 * o + 1] = (float) (acc[3 * o + 1] / cnt[o]);
          out[3 * o + 2] = (float) (acc[3 * o + 2] / cnt[o]);
        }
      }
    }
    return out;
  }
}
