package io.github.fran4j.onnx.export;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;

/**
 * A deliberately naive, loop-by-loop forward pass of the U-Net in double precision, written from
 * the PyTorch semantics (unfolded eval-mode BatchNorm, F.pad of diff // 2, bilinear with
 * align_corners, blur-pool as documented in UNetConfig). Test oracle only: independent of the
 * exporter's graph code.
 */
final class NaiveUNet {
  /** A [C, H, W] map. */
  record Map3(double[] v, int c, int h, int w) {
    double at(int ch, int y, int x) {
      return v[(ch * h + y) * w + x];
    }
  }

  private final StateDict sd;
  private final UNetConfig cfg;
  private final UNetLayout layout;

  NaiveUNet(StateDict sd, UNetConfig cfg) {
    this.sd = sd;
    this.cfg = cfg;
    this.layout = cfg.layout();
  }

  Tensor forward(Tensor input) {
    int n = input.dim(0);
    int c = input.dim(1);
    int h = input.dim(2);
    int w = input.dim(3);
    float[] in = input.toFloatArray();
    float[] out = new float[n * cfg.outChannels() * h * w];
    for (int b = 0; b < n; b++) {
      double[] x = new double[c * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = in[b * x.length + i];
      }
      Map3 y = one(new Map3(x, c, h, w));
      for (int i = 0; i < y.v.length; i++) {
        out[b * y.v.length + i] = (float) y.v[i];
      }
    }
    return Tensor.wrap(out, n, cfg.outChannels(), h, w);
  }

  private Map3 one(Map3 x) {
    int depth = cfg.depth();
    Map3[] skips = new Map3[depth + 1];
    x = doubleConv(layout.inc(), x);
    skips[0] = x;
    for (int i = 1; i <= depth; i++) {
      if (cfg.blurPool()) {
        x = blur(maxPool(x, 1), 2);
      } else {
        x = maxPool(x, 2);
      }
      x = doubleConv(layout.down(i), x);
      skips[i] = x;
    }
    for (int i = 1; i <= depth; i++) {
      Map3 u;
      if (cfg.upsampling() == Upsampling.TRANSPOSED) {
        u = convTranspose(x, layout.upTransposed(i));
      } else {
        u = bilinear2x(x);
      }
      if (cfg.blurPool()) {
        u = blur(u, 1);
      }
      Map3 skip = skips[depth - i];
      u = padTo(u, skip.h, skip.w);
      x = doubleConv(layout.upConv(i), concat(skip, u));
    }
    return conv(x, f(layout.outWeight()), f(layout.outBias()), cfg.outChannels(), 1, 0);
  }

  private double[] f(String name) {
    float[] a = sd.get(name).toFloatArray();
    double[] d = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      d[i] = a[i];
    }
    return d;
  }

  private Map3 doubleConv(UNetLayout.DoubleConv b, Map3 x) {
    x = relu(bn(conv(x, f(b.name(0, "weight")), null, b.mid(), 3, 1), b, 1));
    return relu(bn(conv(x, f(b.name(3, "weight")), null, b.out(), 3, 1), b, 4));
  }

  private Map3 bn(Map3 x, UNetLayout.DoubleConv b, int idx) {
    double[] g = f(b.name(idx, "weight"));
    double[] be = f(b.name(idx, "bias"));
    double[] m = f(b.name(idx, "running_mean"));
    double[] var = f(b.name(idx, "running_var"));
    double[] o = new double[x.v.length];
    int hw = x.h * x.w;
    for (int c = 0; c < x.c; c++) {
      for (int i = 0; i < hw; i++) {
        o[c * hw + i] = (x.v[c * hw + i] - m[c]) / Math.sqrt(var[c] + 1e-5) * g[c] + be[c];
      }
    }
    return new Map3(o, x.c, x.h, x.w);
  }

  private static Map3 relu(Map3 x) {
    double[] o = x.v.clone();
    for (int i = 0; i < o.length; i++) {
      o[i] = Math.max(0, o[i]);
    }
    return new Map3(o, x.c, x.h, x.w);
  }

  /** Zero-padded stride-1 convolution, weight [out, in, k, k]. */
  static Map3 conv(Map3 x, double[] wt, double[] bias, int out, int k, int pad) {
    int ho = x.h + 2 * pad - k + 1;
    int wo = x.w + 2 * pad - k + 1;
    double[] o = new double[out * ho * wo];
    for (int oc = 0; oc < out; oc++) {
      for (int y = 0; y < ho; y++) {
        for (int xx = 0; xx < wo; xx++) {
          double s = bias == null ? 0 : bias[oc];
          for (int ic = 0; ic < x.c; ic++) {
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int iy = y + ky - pad;
                int ix = xx + kx - pad;
                if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) {
                  s += wt[((oc * x.c + ic) * k + ky) * k + kx] * x.at(ic, iy, ix);
                }
              }
            }
          }
          o[(oc * ho + y) * wo + xx] = s;
        }
      }
    }
    return new Map3(o, out, ho, wo);
  }

  static Map3 maxPool(Map3 x, int stride) {
    int ho = (x.h - 2) / stride + 1;
    int wo = (x.w - 2) / stride + 1;
    double[] o = new double[x.c * ho * wo];
    for (int c = 0; c < x.c; c++) {
      for (int y = 0; y < ho; y++) {
        for (int xx = 0; xx < wo; xx++) {
          double m = Double.NEGATIVE_INFINITY;
          for (int dy = 0; dy < 2; dy++) {
            for (int dx = 0; dx < 2; dx++) {
              m = Math.max(m, x.at(c, y * stride + dy, xx * stride + dx));
            }
          }
          o[(c * ho + y) * wo + xx] = m;
        }
      }
    }
    return new Map3(o, x.c, ho, wo);
  }

  /** Reflect pad 1, then [1 2 1]^T [1 2 1] / 16 per channel with the given stride. */
  static Map3 blur(Map3 x, int stride) {
    double[] k = {1, 2, 1};
    int ho = (x.h + 2 - 3) / stride + 1;
    int wo = (x.w + 2 - 3) / stride + 1;
    double[] o = new double[x.c * ho * wo];
    for (int c = 0; c < x.c; c++) {
      for (int y = 0; y < ho; y++) {
        for (int xx = 0; xx < wo; xx++) {
          double s = 0;
          for (int ky = 0; ky < 3; ky++) {
            for (int kx = 0; kx < 3; kx++) {
              int iy = reflect(y * stride + ky - 1, x.h);
              int ix = reflect(xx * stride + kx - 1, x.w);
              s += k[ky] * k[kx] / 16 * x.at(c, iy, ix);
            }
          }
          o[(c * ho + y) * wo + xx] = s;
        }
      }
    }
    return new Map3(o, x.c, ho, wo);
  }

  private static int reflect(int i, int n) {
    if (i < 0) {
      return -i;
    }
    if (i >= n) {
      return 2 * (n - 1) - i;
    }
    return i;
  }

  private Map3 convTranspose(Map3 x, String prefix) {
    double[] wt = f(prefix + ".weight");
    double[] b = f(prefix + ".bias");
    int out = b.length;
    int ho = x.h * 2;
    int wo = x.w * 2;
    double[] o = new double[out * ho * wo];
    for (int oc = 0; oc < out; oc++) {
      for (int y = 0; y < ho; y++) {
        for (int xx = 0; xx < wo; xx++) {
          double s = b[oc];
          for (int ic = 0; ic < x.c; ic++) {
            s += wt[((ic * out + oc) * 2 + y % 2) * 2 + xx % 2] * x.at(ic, y / 2, xx / 2);
          }
          o[(oc * ho + y) * wo + xx] = s;
        }
      }
    }
    return new Map3(o, out, ho, wo);
  }

  static Map3 bilinear2x(Map3 x) {
    int ho = x.h * 2;
    int wo = x.w * 2;
    double[] o = new double[x.c * ho * wo];
    for (int c = 0; c < x.c; c++) {
      for (int y = 0; y < ho; y++) {
        double sy = ho == 1 ? 0 : y * (x.h - 1.0) / (ho - 1.0);
        int y0 = (int) Math.floor(sy);
        int y1 = Math.min(y0 + 1, x.h - 1);
        double fy = sy - y0;
        for (int xx = 0; xx < wo; xx++) {
          double sx = wo == 1 ? 0 : xx * (x.w - 1.0) / (wo - 1.0);
          int x0 = (int) Math.floor(sx);
          int x1 = Math.min(x0 + 1, x.w - 1);
          double fx = sx - x0;
          double top = x.at(c, y0, x0) * (1 - fx) + x.at(c, y0, x1) * fx;
          double bot = x.at(c, y1, x0) * (1 - fx) + x.at(c, y1, x1) * fx;
          o[(c * ho + y) * wo + xx] = top * (1 - fy) + bot * fy;
        }
      }
    }
    return new Map3(o, x.c, ho, wo);
  }

  static Map3 padTo(Map3 x, int h, int w) {
    int top = (h - x.h) / 2;
    int left = (w - x.w) / 2;
    double[] o = new double[x.c * h * w];
    for (int c = 0; c < x.c; c++) {
      for (int y = 0; y < x.h; y++) {
        for (int xx = 0; xx < x.w; xx++) {
          o[(c * h + y + top) * w + xx + left] = x.at(c, y, xx);
        }
      }
    }
    return new Map3(o, x.c, h, w);
  }

  static Map3 concat(Map3 a, Map3 b) {
    double[] o = new double[a.v.length + b.v.length];
    System.arraycopy(a.v, 0, o, 0, a.v.length);
    System.arraycopy(b.v, 0, o, a.v.length, b.v.length);
    return new Map3(o, a.c + b.c, a.h, a.w);
  }
}
