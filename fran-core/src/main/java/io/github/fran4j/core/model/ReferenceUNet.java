package io.github.fran4j.core.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * The generator's forward pass in plain Java, in eval mode: the independent oracle that every
 * other implementation (DJL, ONNX Runtime) is compared with, and a backend that needs no native
 * code.
 *
 * <p>It follows the reference U-Net operation by operation, with every name and channel count
 * taken from {@link UNetLayout}: {@code inc} DoubleConv; each {@code down<i>} max-pools by 2
 * (floor, like {@code nn.MaxPool2d(2)}) then applies a DoubleConv; each {@code up<i>} up-samples by
 * 2 (a 2x2 stride-2 transposed convolution with PyTorch's {@code (Cin, Cout, 2, 2)} weight and a
 * bias, or bilinear interpolation with {@code align_corners=true}), zero-pads the result to the
 * skip's size the way the reference's {@code F.pad(x, [dx/2, dx - dx/2, dy/2, dy - dy/2])} does,
 * concatenates {@code [skip, up]} and applies a DoubleConv; {@code outc} is a 1x1 convolution with
 * bias. A DoubleConv is [3x3 convolution (padding 1, no bias), BatchNorm with the running
 * statistics and epsilon {@link UNetLayout#BATCH_NORM_EPS}, ReLU] twice. With
 * {@link UNetConfig#blurPool()} the pooling and up-sampling are anti-aliased exactly as that
 * method's documentation specifies. For a {@link UNetFamily#COMMUNITY} configuration it runs that
 * family's network instead, as {@link CommunityUNetLayout} describes it; its input sizes must be
 * multiples of {@link UNetConfig#sizeMultiple()}.
 *
 * <p>The loops are deliberately simple (the innermost loop always runs over contiguous x so that
 * the JIT can vectorise it); each convolution is spread over output channels on the common
 * {@link java.util.concurrent.ForkJoinPool}. Fast enough for small models and tests, not for
 * production at width 64 (see {@code docs/benchmarks.md}).
 *
 * <p>Weights stored as F16 or BF16 are used at their exact float values. Instances are immutable
 * and thread-safe: {@link #forward} may be called from several threads at once.
 */
public final class ReferenceUNet {
  private final UNetConfig config;
  private final DoubleConvWeights inc;
  private final DoubleConvWeights[] down;
  private final UpWeights[] up;
  private final float[] outWeight;
  private final float[] outBias;
  private final CommunityUNet community; // non-null for the community family, which runs instead

  private ReferenceUNet(UNetConfig config, StateDict weights) {
    this.config = config;
    if (config.family() == UNetFamily.COMMUNITY) {
      this.community = new CommunityUNet(config, weights);
      this.inc = null;
      this.down = null;
      this.up = null;
      this.outWeight = null;
      this.outBias = null;
      return;
    }
    this.community = null;
    UNetLayout layout = config.layout();
    this.inc = new DoubleConvWeights(layout.inc(), weights);
    int depth = config.depth();
    this.down = new DoubleConvWeights[depth + 1];
    this.up = new UpWeights[depth + 1];
    for (int i = 1; i <= depth; i++) {
      down[i] = new DoubleConvWeights(layout.down(i), weights);
      up[i] = new UpWeights(layout, i, weights);
    }
    this.outWeight = weights.get(layout.outWeight()).toFloatArray();
    this.outBias = weights.get(layout.outBias()).toFloatArray();
  }

  /**
   * Creates the network for weights and an architecture.
   *
   * @param weights the state dict, in PyTorch's names (F32, F16 or BF16 tensors)
   * @param config the architecture the weights are for
   * @return the network
   * @throws ModelFormatException listing every missing, misshaped or unexpected tensor if the
   *     weights do not match {@code config}
   */
  public static ReferenceUNet create(StateDict weights, UNetConfig config)
      throws ModelFormatException {
    checkNotNull(weights, "weights");
    checkNotNull(config, "config");
    config.weightLayout().check(weights);
    return new ReferenceUNet(config, weights);
  }

  /**
   * Creates the network for weights whose architecture is stated in their metadata or inferred
   * from their shapes ({@link UNetConfig#fromStateDict}).
   *
   * @param weights the state dict
   * @return the network
   * @throws ModelFormatException if the weights are not a FRAN U-Net
   */
  public static ReferenceUNet create(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    return new ReferenceUNet(UNetConfig.fromStateDict(weights), weights);
  }

  /** {@return the architecture} */
  public UNetConfig config() {
    return config;
  }

  /** {@return the smallest height and width {@link #forward} accepts ({@link UNetConfig#minimumSize()})} */
  public int minimumSize() {
    return config.minimumSize();
  }

  /**
   * Runs the network.
   *
   * @param input an {@code [N, inChannels, H, W]} floating-point tensor; H and W need not be
   *     multiples of 2^depth (the up-sampled maps are zero-padded to the skips, as the reference
   *     does) but must be at least {@link #minimumSize()}
   * @return the {@code [N, outChannels, H, W]} float32 output
   * @throws IllegalArgumentException if the input's rank, channel count, dtype or size is not
   *     accepted, naming its shape and what was expected
   */
  public Tensor forward(Tensor input) {
    checkInput(input);
    int[] s = input.shape();
    int n = s[0];
    int h = s[2];
    int w = s[3];
    FloatBuffer x = input.floatBuffer(); // a view: no copy of the whole batch
    int inPlane = config.inChannels() * h * w;
    int outPlane = config.outChannels() * h * w;
    float[] out = new float[n * outPlane];
    for (int b = 0; b < n; b++) {
      float[] planes = new float[inPlane];
      x.get(b * inPlane, planes);
      FeatureMap sample = new FeatureMap(config.inChannels(), h, w, planes);
      FeatureMap y = forwardOne(sample);
      System.arraycopy(y.data, 0, out, b * outPlane, outPlane);
    }
    return Tensor.wrap(out, n, config.outChannels(), h, w);
  }

  /**
   * Checks that {@link #forward} accepts an input, without running the network.
   *
   * @param input the input
   * @throws IllegalArgumentException as {@link #forward} would, naming the shape and what was
   *     expected
   */
  public void checkInput(Tensor input) {
    checkNotNull(input, "input");
    int[] s = input.shape();
    checkArgument(
        s.length == 4 && s[1] == config.inChannels() && input.dtype().isFloating(),
        "input must be a floating-point [N, %s, H, W] tensor, got %s %s",
        config.inChannels(),
        input.dtype(),
        Arrays.toString(s));
    int min = minimumSize();
    checkArgument(
        s[2] >= min && s[3] >= min,
        "input %s is too small: height and width must be at least %s for depth %s%s",
        Arrays.toString(s),
        min,
        config.depth(),
        config.blurPool() ? " with blur-pool" : "");
    if (config.family() == UNetFamily.COMMUNITY) {
      int m = config.sizeMultiple();
      checkArgument(
          s[2] % m == 0 && s[3] % m == 0,
          "input %s: the community U-Net needs height and width that are multiples of 2^depth = "
              + "%s (pad the image first)",
          Arrays.toString(s),
          m);
    }
  }

  private FeatureMap forwardOne(FeatureMap x) {
    if (community != null) {
      return community.forwardOne(x);
    }
    int depth = config.depth();
    FeatureMap[] skips = new FeatureMap[depth + 1];
    skips[0] = inc.apply(x);
    for (int i = 1; i <= depth; i++) {
      FeatureMap pooled =
          config.blurPool() ? blur(maxPool(skips[i - 1], 1), 2) : maxPool(skips[i - 1], 2);
      skips[i] = down[i].apply(pooled);
    }
    FeatureMap y = skips[depth];
    for (int i = 1; i <= depth; i++) {
      FeatureMap skip = skips[depth - i];
      FeatureMap u = up[i].upsample(y);
      if (config.blurPool()) {
        u = blur(u, 1);
      }
      y = up[i].conv.apply(concat(skip, padTo(u, skip.h, skip.w)));
    }
    return conv1x1(y, outWeight, outBias, config.outChannels());
  }

  // ------------------------------------------------------------------ building blocks
  // Package-private and static so that tests can check each against hand-computed values.

  /** One sample's feature maps: {@code c} planes of {@code h x w}, row-major. */
  static final class FeatureMap {
    final int c;
    final int h;
    final int w;
    final float[] data;

    FeatureMap(int c, int h, int w, float[] data) {
      checkArgument(data.length == c * h * w, "%s values for %sx%sx%s", data.length, c, h, w);
      this.c = c;
      this.h = h;
      this.w = w;
      this.data = data;
    }

    FeatureMap(int c, int h, int w) {
      this(c, h, w, new float[c * h * w]);
    }
  }

  /** A 3x3 convolution (padding 1, no bias) folded with BatchNorm (eval) and ReLU. */
  static final class ConvBnRelu {
    final int in;
    final int out;
    final float[] weight; // (out, in, 3, 3)
    final float[] scale; // gamma / sqrt(var + eps)
    final float[] shift; // beta - mean * scale

    ConvBnRelu(int in, int out, float[] weight, float[] gamma, float[] beta, float[] mean,
        float[] var) {
      this.in = in;
      this.out = out;
      this.weight = weight;
      this.scale = new float[out];
      this.shift = new float[out];
      for (int c = 0; c < out; c++) {
        // As PyTorch's eval BatchNorm: y = x * (gamma * invstd) + (beta - mean * gamma * invstd).
        double invStd = 1.0 / Math.sqrt((double) var[c] + UNetLayout.BATCH_NORM_EPS);
        scale[c] = (float) (gamma[c] * invStd);
        shift[c] = (float) (beta[c] - mean[c] * gamma[c] * invStd);
      }
    }

    FeatureMap apply(FeatureMap x) {
      FeatureMap y = conv3x3(x, weight, out);
      int plane = y.h * y.w;
      for (int c = 0; c < out; c++) {
        float a = scale[c];
        float b = shift[c];
        int base = c * plane;
        for (int i = 0; i < plane; i++) {
          float v = y.data[base + i] * a + b;
          // Not Math.max(v, 0): ReLU must keep NaN as NaN, as PyTorch's does.
          y.data[base + i] = v < 0 ? 0f : v;
        }
      }
      return y;
    }
  }

  /** A DoubleConv block's weights. */
  private static final class DoubleConvWeights {
    final ConvBnRelu first;
    final ConvBnRelu second;

    DoubleConvWeights(UNetLayout.DoubleConv spec, StateDict w) {
      first = convBn(spec, 0, 1, spec.in(), spec.mid(), w);
      second = convBn(spec, 3, 4, spec.mid(), spec.out(), w);
    }

    private static ConvBnRelu convBn(UNetLayout.DoubleConv spec, int conv, int bn, int in,
        int out, StateDict w) {
      return new ConvBnRelu(
          in,
          out,
          w.get(spec.name(conv, "weight")).toFloatArray(),
          w.get(spec.name(bn, "weight")).toFloatArray(),
          w.get(spec.name(bn, "bias")).toFloatArray(),
          w.get(spec.name(bn, "running_mean")).toFloatArray(),
          w.get(spec.name(bn, "running_var")).toFloatArray());
    }

    FeatureMap apply(FeatureMap x) {
      return second.apply(first.apply(x));
    }
  }

  /** A decoder step's weights: the transposed convolution (null for bilinear) and DoubleConv. */
  private static final class UpWeights {
    final float[] weight; // (cin, cin / 2, 2, 2), or null for bilinear
    final float[] bias;
    final int cout;
    final DoubleConvWeights conv;

    UpWeights(UNetLayout layout, int i, StateDict w) {
      if (layout.config().upsampling() == Upsampling.TRANSPOSED) {
        weight = w.get(layout.upTransposed(i) + ".weight").toFloatArray();
        bias = w.get(layout.upTransposed(i) + ".bias").toFloatArray();
        cout = layout.upInput(i) / 2;
      } else {
        weight = null;
        bias = null;
        cout = 0;
      }
      conv = new DoubleConvWeights(layout.upConv(i), w);
    }

    FeatureMap upsample(FeatureMap x) {
      return weight != null ? transposedConv2x2(x, weight, bias, cout) : bilinear2x(x);
    }
  }

  /**
   * A 3x3 convolution with zero padding 1 and no bias.
   *
   * <p>Each output row accumulates, per input channel, the nine taps over the three input rows it
   * sees in one pass (rows outside the image are a row of zeros, the padding), so the output row
   * stays in L1 cache and the inner loop over x is contiguous for the JIT to vectorise.
   *
   * @param x the input
   * @param weight {@code (out, x.c, 3, 3)} row-major
   * @param out the number of output channels
   */
  static FeatureMap conv3x3(FeatureMap x, float[] weight, int out) {
    int h = x.h;
    int w = x.w;
    int plane = h * w;
    int in = x.c;
    checkArgument(weight.length == out * in * 9, "3x3 weight of %s for %s->%s", weight.length, in,
        out);
    FeatureMap y = new FeatureMap(out, h, w);
    float[] src = x.data;
    float[] zeros = new float[w];
    IntStream.range(0, out).parallel().forEach(co -> {
      float[] dst = y.data;
      for (int yy = 0; yy < h; yy++) {
        int o = co * plane + yy * w;
        for (int ci = 0; ci < in; ci++) {
          int base = ci * plane;
          // The rows above (t), at (m) and below (b) this output row.
          float[] t = yy > 0 ? src : zeros;
          int ot = yy > 0 ? base + (yy - 1) * w : 0;
          int om = base + yy * w;
          float[] b = yy < h - 1 ? src : zeros;
          int ob = yy < h - 1 ? base + (yy + 1) * w : 0;
          int k = (co * in + ci) * 9;
          float k00 = weight[k];
          float k01 = weight[k + 1];
          float k02 = weight[k + 2];
          float k10 = weight[k + 3];
          float k11 = weight[k + 4];
          float k12 = weight[k + 5];
          float k20 = weight[k + 6];
          float k21 = weight[k + 7];
          float k22 = weight[k + 8];
          for (int xx = 1; xx < w - 1; xx++) {
            dst[o + xx] +=
                k00 * t[ot + xx - 1] + k01 * t[ot + xx] + k02 * t[ot + xx + 1]
                    + k10 * src[om + xx - 1] + k11 * src[om + xx] + k12 * src[om + xx + 1]
                    + k20 * b[ob + xx - 1] + k21 * b[ob + xx] + k22 * b[ob + xx + 1];
          }
          // Column 0 (its left neighbour is padding) and column w - 1 (its right one is).
          float left = k01 * t[ot] + k11 * src[om] + k21 * b[ob];
          if (w > 1) {
            left += k02 * t[ot + 1] + k12 * src[om + 1] + k22 * b[ob + 1];
            dst[o + w - 1] +=
                k00 * t[ot + w - 2] + k01 * t[ot + w - 1]
                    + k10 * src[om + w - 2] + k11 * src[om + w - 1]
                    + k20 * b[ob + w - 2] + k21 * b[ob + w - 1];
          }
          dst[o] += left;
        }
      }
    });
    return y;
  }

  /**
   * A 1x1 convolution with bias.
   *
   * @param weight {@code (out, x.c, 1, 1)}
   * @param bias {@code out} values
   */
  static FeatureMap conv1x1(FeatureMap x, float[] weight, float[] bias, int out) {
    int plane = x.h * x.w;
    FeatureMap y = new FeatureMap(out, x.h, x.w);
    IntStream.range(0, out).parallel().forEach(co -> {
      int o = co * plane;
      Arrays.fill(y.data, o, o + plane, bias[co]);
      for (int ci = 0; ci < x.c; ci++) {
        float k = weight[co * x.c + ci];
        int src = ci * plane;
        for (int i = 0; i < plane; i++) {
          y.data[o + i] += k * x.data[src + i];
        }
      }
    });
    return y;
  }

  /**
   * Max-pooling with a 2x2 window, no padding and the given stride; output size
   * {@code floor((n - 2) / stride) + 1} (for stride 2 that is {@code floor(n / 2)}). NaN
   * propagates.
   */
  static FeatureMap maxPool(FeatureMap x, int stride) {
    int oh = (x.h - 2) / stride + 1;
    int ow = (x.w - 2) / stride + 1;
    FeatureMap y = new FeatureMap(x.c, oh, ow);
    for (int c = 0; c < x.c; c++) {
      int src = c * x.h * x.w;
      int dst = c * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        int r0 = src + oy * stride * x.w;
        int r1 = r0 + x.w;
        for (int ox = 0; ox < ow; ox++) {
          int ix = ox * stride;
          float m = Math.max(Math.max(x.data[r0 + ix], x.data[r0 + ix + 1]),
              Math.max(x.data[r1 + ix], x.data[r1 + ix + 1]));
          y.data[dst + oy * ow + ox] = m;
        }
      }
    }
    return y;
  }

  /** Blur-pool taps along each axis ({@link BlurKernel}); the 3x3 kernel is their outer product. */
  private static final float[] BLUR = BlurKernel.taps();

  /**
   * The fixed depthwise blur [1 2 1]^T [1 2 1] / 16 with reflect padding 1 and the given stride;
   * output size {@code floor((n - 1) / stride) + 1}. Needs every side at least 2 (reflect padding).
   */
  static FeatureMap blur(FeatureMap x, int stride) {
    checkArgument(x.h >= 2 && x.w >= 2, "blur needs at least 2x2, got %sx%s", x.h, x.w);
    int oh = (x.h - 1) / stride + 1;
    int ow = (x.w - 1) / stride + 1;
    FeatureMap y = new FeatureMap(x.c, oh, ow);
    for (int c = 0; c < x.c; c++) {
      int src = c * x.h * x.w;
      int dst = c * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          float sum = 0;
          for (int ky = 0; ky < 3; ky++) {
            int iy = reflect(oy * stride + ky - 1, x.h);
            for (int kx = 0; kx < 3; kx++) {
              int ix = reflect(ox * stride + kx - 1, x.w);
              sum += BLUR[ky] * BLUR[kx] * x.data[src + iy * x.w + ix];
            }
          }
          y.data[dst + oy * ow + ox] = sum;
        }
      }
    }
    return y;
  }

  /** Reflect padding's index mapping (the edge is not repeated): -1 -> 1, n -> n - 2. */
  static int reflect(int i, int n) {
    if (i < 0) {
      return -i;
    }
    if (i >= n) {
      return 2 * n - 2 - i;
    }
    return i;
  }

  /**
   * A 2x2 stride-2 transposed convolution: {@code y[co, 2i + ky, 2j + kx] = bias[co] +
   * sum_ci x[ci, i, j] * weight[ci, co, ky, kx]} (PyTorch's weight layout (Cin, Cout, 2, 2)).
   */
  static FeatureMap transposedConv2x2(FeatureMap x, float[] weight, float[] bias, int out) {
    int h = x.h;
    int w = x.w;
    int ow = 2 * w;
    FeatureMap y = new FeatureMap(out, 2 * h, ow);
    IntStream.range(0, out).parallel().forEach(co -> {
      int o = co * 4 * h * w;
      Arrays.fill(y.data, o, o + 4 * h * w, bias[co]);
      for (int ci = 0; ci < x.c; ci++) {
        int src = ci * h * w;
        for (int ky = 0; ky < 2; ky++) {
          for (int kx = 0; kx < 2; kx++) {
            float k = weight[((ci * out + co) * 2 + ky) * 2 + kx];
            for (int i = 0; i < h; i++) {
              int orow = o + (2 * i + ky) * ow + kx;
              int irow = src + i * w;
              for (int j = 0; j < w; j++) {
                y.data[orow + 2 * j] += k * x.data[irow + j];
              }
            }
          }
        }
      }
    });
    return y;
  }

  /**
   * Bilinear x2 up-sampling with {@code align_corners=true}: output pixel {@code o} samples the
   * input at {@code o * (n - 1) / (2n - 1)}, computed in float like PyTorch's CPU kernel.
   */
  static FeatureMap bilinear2x(FeatureMap x) {
    int oh = 2 * x.h;
    int ow = 2 * x.w;
    int[] x0 = new int[ow];
    int[] x1 = new int[ow];
    float[] lx = new float[ow];
    axis(x.w, ow, x0, x1, lx);
    int[] y0 = new int[oh];
    int[] y1 = new int[oh];
    float[] ly = new float[oh];
    axis(x.h, oh, y0, y1, ly);
    FeatureMap y = new FeatureMap(x.c, oh, ow);
    for (int c = 0; c < x.c; c++) {
      int src = c * x.h * x.w;
      int dst = c * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        int r0 = src + y0[oy] * x.w;
        int r1 = src + y1[oy] * x.w;
        float b = ly[oy];
        float a = 1f - b;
        for (int ox = 0; ox < ow; ox++) {
          float d = lx[ox];
          float e = 1f - d;
          y.data[dst + oy * ow + ox] =
              a * (e * x.data[r0 + x0[ox]] + d * x.data[r0 + x1[ox]])
                  + b * (e * x.data[r1 + x0[ox]] + d * x.data[r1 + x1[ox]]);
        }
      }
    }
    return y;
  }

  private static void axis(int in, int out, int[] i0, int[] i1, float[] lambda) {
    float scale = out > 1 ? (float) (in - 1) / (float) (out - 1) : 0f;
    for (int o = 0; o < out; o++) {
      float src = scale * o;
      int i = (int) src;
      i0[o] = i;
      i1[o] = Math.min(i + 1, in - 1);
      lambda[o] = src - i;
    }
  }

  /**
   * Zero-pads (or, for negative differences, crops) {@code x} to {@code h x w} as
   * {@code F.pad(x, [dx / 2, dx - dx / 2, dy / 2, dy - dy / 2])} with {@code dx = w - x.w},
   * {@code dy = h - x.h} (Python's floor division).
   */
  static FeatureMap padTo(FeatureMap x, int h, int w) {
    if (x.h == h && x.w == w) {
      return x;
    }
    int top = Math.floorDiv(h - x.h, 2);
    int left = Math.floorDiv(w - x.w, 2);
    FeatureMap y = new FeatureMap(x.c, h, w);
    for (int c = 0; c < x.c; c++) {
      for (int yy = 0; yy < h; yy++) {
        int iy = yy - top;
        if (iy < 0 || iy >= x.h) {
          continue;
        }
        for (int xx = 0; xx < w; xx++) {
          int ix = xx - left;
          if (ix >= 0 && ix < x.w) {
            y.data[(c * h + yy) * w + xx] = x.data[(c * x.h + iy) * x.w + ix];
          }
        }
      }
    }
    return y;
  }

  /** Concatenates along channels: {@code a}'s channels first. */
  static FeatureMap concat(FeatureMap a, FeatureMap b) {
    checkArgument(a.h == b.h && a.w == b.w, "concat of %sx%s and %sx%s", a.h, a.w, b.h, b.w);
    float[] d = Arrays.copyOf(a.data, a.data.length + b.data.length);
    System.arraycopy(b.data, 0, d, a.data.length, b.data.length);
    return new FeatureMap(a.c + b.c, a.h, a.w, d);
  }
}
