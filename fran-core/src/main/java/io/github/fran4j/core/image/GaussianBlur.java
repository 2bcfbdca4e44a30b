package io.github.fran4j.core.image;

/** Separable Gaussian blur of one float plane with edge clamping; used for feathered masks. */
final class GaussianBlur {
  private GaussianBlur() {}

  /**
   * Blurs a plane.
   *
   * @param src {@code w * h} values, row-major
   * @param w the width
   * @param h the height
   * @param sigma the standard deviation in pixels (&gt; 0)
   * @return a new blurred plane
   */
  static float[] blur(float[] src, int w, int h, double sigma) {
    int radius = Math.max(1, (int) Math.ceil(3 * sigma));
    float[] k = new float[2 * radius + 1];
    double sum = 0;
    for (int i = -radius; i <= radius; i++) {
      double v = Math.exp(-(i * i) / (2 * sigma * sigma));
      k[i + radius] = (float) v;
      sum += v;
    }
    for (int i = 0; i < k.length; i++) {
      k[i] /= (float) sum;
    }
    float[] tmp = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -radius; i <= radius; i++) {
          int sx = Math.min(w - 1, Math.max(0, x + i));
          acc += k[i + radius] * src[y * w + sx];
        }
        tmp[y * w + x] = acc;
      }
    }
    float[] out = new float[src.length];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        float acc = 0;
        for (int i = -radius; i <= radius; i++) {
          int sy = Math.min(h - 1, Math.max(0, y + i));
          acc += k[i + radius] * tmp[sy * w + x];
        }
        out[y * w + x] = acc;
      }
    }
    return out;
  }
}
