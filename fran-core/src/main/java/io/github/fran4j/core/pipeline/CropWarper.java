package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.image.BufferedImage;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;

/**
 * Moves pixels between the frame and a face crop: samples the crop's RGB from the frame, and adds
 * a crop-sized delta back to the frame through a {@link FeatherMask}. Thread-safe (stateless); a
 * frame being pasted into must not be used by another thread at the same time.
 *
 * <p>Coordinates are continuous: pixel (i, j) covers [i, i+1) x [j, j+1) and its centre is
 * (i + 0.5, j + 0.5), in the frame and in the crop alike. When the crop is smaller than the face
 * in the frame, the crop is sampled with up to 4x4 supersampling (a box filter, so that downscaled
 * faces do not alias); otherwise bilinearly. The delta goes back with bicubic interpolation
 * (Keys, a = -0.5) or, when the crop is much larger than the face in the frame, as a supersampled
 * average. Frame pixels outside the crop, or where the mask is 0, keep their exact values.
 */
public final class CropWarper {
  private static final int MAX_SUPERSAMPLING = 4;

  private CropWarper() {}

  /**
   * Samples a crop's RGB from a working image (see {@link WorkingImages}).
   *
   * @param frame the frame in the working layout
   * @param crop where the crop lies
   * @return planar RGB, {@code [3, size, size]} row-major, values in [0, 1]; positions outside the
   *     frame repeat the nearest edge pixel
   */
  public static float[] sampleRgb(BufferedImage frame, FaceCrop crop) {
    checkWorking(frame);
    checkNotNull(crop, "crop");
    int fw = frame.getWidth();
    int fh = frame.getHeight();
    int size = crop.size();
    SimilarityTransform t = crop.cropToFrame();
    // Read only the region the crop covers (plus one pixel for interpolation), not the whole frame.
    int[] b = crop.frameBounds(fw, fh);
    int x0 = clamp(b[0] - 1, 0, fw - 1);
    int y0 = clamp(b[1] - 1, 0, fh - 1);
    int x1 = clamp(b[2] + 1, x0 + 1, fw);
    int y1 = clamp(b[3] + 1, y0 + 1, fh);
    if (b[2] <= b[0] || b[3] <= b[1]) {
      // The crop lies entirely outside the frame: read the nearest edge region.
      x0 = clamp((int) Math.floor(t.applyX(size / 2.0, size / 2.0)), 0, fw - 1);
      y0 = clamp((int) Math.floor(t.applyY(size / 2.0, size / 2.0)), 0, fh - 1);
      x1 = x0 + 1;
      y1 = y0 + 1;
    }
    int rw = x1 - x0;
    int rh = y1 - y0;
    int bands = frame.getRaster().getNumBands();
    int[] px = readRegion(frame, x0, y0, rw, rh);
    float inv = 1f / WorkingImages.maxValue(frame);
    int n = clamp((int) Math.ceil(t.scale() - 1e-9), 1, MAX_SUPERSAMPLING);
    float[] out = new float[3 * size * size];
    int plane = size * size;
    final int fx0 = x0;
    final int fy0 = y0;
    final int fx1 = x1;
    final int fy1 = y1;
    // Rows are independent: spread them over the common pool (the model call dominates anyway,
    // but a 4K frame's crop should not cost more than it must).
    IntStream.range(0, size).parallel().forEach(i -> sampleRow(i, size, n, t, fx0, fy0, fx1, fy1,
        rw, bands, px, inv, out, plane));
    return out;
  }

  private static void sampleRow(int i, int size, int n, SimilarityTransform t, int x0, int y0,
      int x1, int y1, int rw, int bands, int[] px, float inv, float[] out, int plane) {
    double[] acc = new double[3];
    for (int j = 0; j < size; j++) {
      acc[0] = 0;
      acc[1] = 0;
      acc[2] = 0;
      for (int sy = 0; sy < n; sy++) {
        double v = i + (sy + 0.5) / n;
        for (int sx = 0; sx < n; sx++) {
          double u = j + (sx + 0.5) / n;
          double fx = Math.max(x0, Math.min(x1 - 1, t.applyX(u, v) - 0.5));
          double fy = Math.max(y0, Math.min(y1 - 1, t.applyY(u, v) - 0.5));
          int xa = (int) fx;
          int ya = (int) fy;
          int xb = Math.min(xa + 1, x1 - 1);
          int yb = Math.min(ya + 1, y1 - 1);
          double ax = fx - xa;
          double ay = fy - ya;
          int p00 = ((ya - y0) * rw + (xa - x0)) * bands;
          int p01 = ((ya - y0) * rw + (xb - x0)) * bands;
          int p10 = ((yb - y0) * rw + (xa - x0)) * bands;
          int p11 = ((yb - y0) * rw + (xb - x0)) * bands;
          for (int c = 0; c < 3; c++) {
            double top = px[p00 + c] + (px[p01 + c] - px[p00 + c]) * ax;
            double bot = px[p10 + c] + (px[p11 + c] - px[p10 + c]) * ax;
            acc[c] += top + (bot - top) * ay;
          }
        }
      }
      int o = i * size + j;
      for (int c = 0; c < 3; c++) {
        out[c * plane + o] = (float) (acc[c] / (n * n)) * inv;
      }
    }
  }

  /**
   * Adds a crop's delta to the frame in place: {@code pixel += mask(u, v) * delta(u, v) * max},
   * rounded and clamped to the sample range. Alpha and every pixel where the mask is 0 stay
   * bit-identical.
   *
   * @param frame the frame in the working layout, modified in place
   * @param crop where the crop lies
   * @param delta planar RGB delta {@code [3, size, size]} in units of the [0, 1] range
   * @param mask the blending weights over the crop
   * @return the number of frame pixels that received a non-zero weight
   */
  public static long pasteDelta(BufferedImage frame, FaceCrop crop, float[] delta, FeatherMask mask) {
    checkWorking(frame);
    checkNotNull(crop, "crop");
    checkNotNull(mask, "mask");
    int size = crop.size();
    checkArgument(delta.length == 3 * size * size,
        "delta must hold 3 x %s x %s = %s values, got %s", size, size, 3 * size * size, delta.length);
    int fw = frame.getWidth();
    int fh = frame.getHeight();
    int[] b = crop.frameBounds(fw, fh);
    int rw = b[2] - b[0];
    int rh = b[3] - b[1];
    if (rw <= 0 || rh <= 0) {
      return 0;
    }
    int bands = frame.getRaster().getNumBands();
    int[] px = readRegion(frame, b[0], b[1], rw, rh);
    int max = WorkingImages.maxValue(frame);
    SimilarityTransform inv = crop.frameToCrop();
    double cropPerFrame = inv.scale();
    int n = cropPerFrame > 1.5 ? clamp((int) Math.ceil(cropPerFrame), 2, MAX_SUPERSAMPLING) : 1;
    LongAdder touched = new LongAdder();
    IntStream.range(0, rh).parallel().forEach(y -> {
      long count = pasteRow(y, b, rw, size, inv, mask, n, delta, px, bands, max);
      touched.add(count);
    });
    writeRegion(frame, b[0], b[1], rw, rh, px);
    return touched.sum();
  }

  private static long pasteRow(int y, int[] b, int rw, int size, SimilarityTransform inv,
      FeatherMask mask, int n, float[] delta, int[] px, int bands, int max) {
    double[] d = new double[3];
    double[] wx = new double[4];
    double[] wy = new double[4];
    long touched = 0;
    double cy = b[1] + y + 0.5;
    for (int x = 0; x < rw; x++) {
      double cx = b[0] + x + 0.5;
      double u = inv.applyX(cx, cy);
      double v = inv.applyY(cx, cy);
      double w = mask.weight(u / size, v / size);
      if (w <= 0) {
        continue;
      }
      touched++;
      if (n == 1) {
        bicubic(delta, size, u - 0.5, v - 0.5, wx, wy, d);
      } else {
        supersample(delta, size, inv, cx - 0.5, cy - 0.5, n, d);
      }
      int p = (y * rw + x) * bands;
      for (int c = 0; c < 3; c++) {
        double val = px[p + c] + w * d[c] * max;
        px[p + c] = (int) Math.max(0, Math.min(max, Math.round(val)));
      }
    }
    return touched;
  }

  /** Reads a region as interleaved samples (R, G, B(, A)); direct for packed 8-bit images. */
  private static int[] readRegion(BufferedImage img, int x0, int y0, int w, int h) {
    int[] packed = WorkingImages.packedData(img);
    if (packed == null) {
      return img.getRaster().getPixels(x0, y0, w, h, (int[]) null);
    }
    int bands = img.getRaster().getNumBands();
    int iw = img.getWidth();
    int[] px = new int[w * h * bands];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = packed[(y0 + y) * iw + x0 + x];
        int o = (y * w + x) * bands;
        px[o] = (p >> 16) & 0xff;
        px[o + 1] = (p >> 8) & 0xff;
        px[o + 2] = p & 0xff;
        if (bands == 4) {
          px[o + 3] = p >>> 24;
        }
      }
    }
    return px;
  }

  /** Writes back a region read by {@link #readRegion}. */
  private static void writeRegion(BufferedImage img, int x0, int y0, int w, int h, int[] px) {
    int[] packed = WorkingImages.packedData(img);
    if (packed == null) {
      img.getRaster().setPixels(x0, y0, w, h, px);
      return;
    }
    int bands = img.getRaster().getNumBands();
    int iw = img.getWidth();
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * bands;
        int i = (y0 + y) * iw + x0 + x;
        int a = bands == 4 ? px[o + 3] : (packed[i] >>> 24);
        packed[i] = a << 24 | px[o] << 16 | px[o + 1] << 8 | px[o + 2];
      }
    }
  }

  /** Bicubic (Keys a = -0.5) sample of the three planes at crop pixel-centre coordinates. */
  private static void bicubic(float[] delta, int size, double x, double y, double[] wx, double[] wy,
      double[] out) {
    int ix = (int) Math.floor(x);
    int iy = (int) Math.floor(y);
    keys(x - ix, wx);
    keys(y - iy, wy);
    int plane = size * size;
    out[0] = 0;
    out[1] = 0;
    out[2] = 0;
    if (ix >= 1 && iy >= 1 && ix + 2 < size && iy + 2 < size) {
      // Interior: no clamping (the common case, worth its own loop on 4K frames).
      int base = (iy - 1) * size + ix - 1;
      for (int m = 0; m < 4; m++) {
        int idx = base + m * size;
        double r = 0;
        double g = 0;
        double bl = 0;
        for (int k = 0; k < 4; k++) {
          r += wx[k] * delta[idx + k];
          g += wx[k] * delta[plane + idx + k];
          bl += wx[k] * delta[2 * plane + idx + k];
        }
        out[0] += wy[m] * r;
        out[1] += wy[m] * g;
        out[2] += wy[m] * bl;
      }
      return;
    }
    for (int m = 0; m < 4; m++) {
      int row = clamp(iy + m - 1, 0, size - 1) * size;
      for (int k = 0; k < 4; k++) {
        int idx = row + clamp(ix + k - 1, 0, size - 1);
        double wgt = wy[m] * wx[k];
        out[0] += wgt * delta[idx];
        out[1] += wgt * delta[plane + idx];
        out[2] += wgt * delta[2 * plane + idx];
      }
    }
  }

  /** Averages n x n bilinear samples of the delta over one frame pixel (a box filter). */
  private static void supersample(float[] delta, int size, SimilarityTransform inv, double fx0,
      double fy0, int n, double[] out) {
    int plane = size * size;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    for (int sy = 0; sy < n; sy++) {
      for (int sx = 0; sx < n; sx++) {
        double fx = fx0 + (sx + 0.5) / n;
        double fy = fy0 + (sy + 0.5) / n;
        double u = Math.max(0, Math.min(size - 1, inv.applyX(fx, fy) - 0.5));
        double v = Math.max(0, Math.min(size - 1, inv.applyY(fx, fy) - 0.5));
        int ua = (int) u;
        int va = (int) v;
        int ub = Math.min(ua + 1, size - 1);
        int vb = Math.min(va + 1, size - 1);
        double au = u - ua;
        double av = v - va;
        double w00 = (1 - au) * (1 - av);
        double w01 = au * (1 - av);
        double w10 = (1 - au) * av;
        double w11 = au * av;
        int i00 = va * size + ua;
        int i01 = va * size + ub;
        int i10 = vb * size + ua;
        int i11 = vb * size + ub;
        s0 += w00 * delta[i00] + w01 * delta[i01] + w10 * delta[i10] + w11 * delta[i11];
        s1 += w00 * delta[plane + i00] + w01 * delta[plane + i01] + w10 * delta[plane + i10]
            + w11 * delta[plane + i11];
        s2 += w00 * delta[2 * plane + i00] + w01 * delta[2 * plane + i01]
            + w10 * delta[2 * plane + i10] + w11 * delta[2 * plane + i11];
      }
    }
    double nn = n * n;
    out[0] = s0 / nn;
    out[1] = s1 / nn;
    out[2] = s2 / nn;
  }

  /** Keys cubic convolution weights (a = -0.5) for taps at -1, 0, 1, 2 given the fraction t. */
  static void keys(double t, double[] w) {
    double a = -0.5;
    double t1 = t + 1;
    double t2 = 1 - t;
    double t3 = 2 - t;
    w[0] = ((a * t1 - 5 * a) * t1 + 8 * a) * t1 - 4 * a;
    w[1] = ((a + 2) * t - (a + 3)) * t * t + 1;
    w[2] = ((a + 2) * t2 - (a + 3)) * t2 * t2 + 1;
    w[3] = ((a * t3 - 5 * a) * t3 + 8 * a) * t3 - 4 * a;
  }

  private static void checkWorking(BufferedImage frame) {
    checkNotNull(frame, "frame");
    checkArgument(WorkingImages.isWorking(frame),
        "frame must be in the working layout (WorkingImages.toWorking), got image type %s", frame.getType());
  }

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }
}
