package io.github.fran4j.core.model;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.fran4j.core.model.ReferenceUNet.FeatureMap;
import io.github.fran4j.core.weights.StateDict;
import java.util.stream.IntStream;

/**
 * The community family's ({@link UNetFamily#COMMUNITY}) forward pass in plain Java, one sample at
 * a time; {@link ReferenceUNet} is its public face and runs it for community configurations.
 * Every name and width comes from {@link CommunityUNetLayout}; the convolutions, max-pool,
 * transposed convolution and concatenation are {@link ReferenceUNet}'s building blocks, so each
 * operation has one implementation.
 *
 * <p>The BlurPool filters are read from the weights ({@code filt}), never assumed. Immutable and
 * thread-safe.
 */
final class CommunityUNet {
  private final UNetConfig config;
  private final Conv[] init;
  private final float[][] downBlur;
  private final Conv[][] down;
  private final Conv[] upT;
  private final float[][] upBlur;
  private final Conv[][] up;
  private final Conv last;

  /** The weights must have been checked against {@code config.communityLayout()}. */
  CommunityUNet(UNetConfig config, StateDict w) {
    this.config = config;
    CommunityUNetLayout l = config.communityLayout();
    int depth = config.depth();
    init = new Conv[] {new Conv(l.initConv(0), w), new Conv(l.initConv(1), w)};
    downBlur = new float[depth + 1][];
    down = new Conv[depth + 1][];
    upT = new Conv[depth + 1];
    upBlur = new float[depth + 1][];
    up = new Conv[depth + 1][];
    for (int i = 1; i <= depth; i++) {
      downBlur[i] = w.get(l.downBlur(i).name()).toFloatArray();
      down[i] = new Conv[] {new Conv(l.downConv(i, 0), w), new Conv(l.downConv(i, 1), w)};
      upT[i] = new Conv(l.upTransposed(i), w);
      upBlur[i] = w.get(l.upBlur(i).name()).toFloatArray();
      up[i] = new Conv[] {new Conv(l.upConv(i, 0), w), new Conv(l.upConv(i, 1), w)};
    }
    last = new Conv(l.finalConv(), w);
  }

  /** Runs one sample; its height and width are multiples of 2^depth and at least the minimum. */
  FeatureMap forwardOne(FeatureMap x) {
    int depth = config.depth();
    FeatureMap[] skips = new FeatureMap[depth + 1];
    skips[0] = init[1].leaky(init[0].leaky(x));
    for (int i = 1; i <= depth; i++) {
      FeatureMap pooled = blurPool(ReferenceUNet.maxPool(skips[i - 1], 1), downBlur[i], 2);
      skips[i] = down[i][1].leaky(down[i][0].leaky(pooled));
    }
    FeatureMap y = skips[depth];
    for (int i = 1; i <= depth; i++) {
      FeatureMap u = ReferenceUNet.transposedConv2x2(y, upT[i].weight, upT[i].bias, upT[i].out);
      u = blurPool(u, upBlur[i], 1);
      y = up[i][1].leaky(up[i][0].leaky(ReferenceUNet.concat(u, skips[depth - i])));
    }
    return ReferenceUNet.conv1x1(y, last.weight, last.bias, last.out);
  }

  /** A convolution's weights and bias. */
  private static final class Conv {
    final int out;
    final float[] weight;
    final float[] bias;

    Conv(CommunityUNetLayout.Conv spec, StateDict w) {
      this.out = spec.out();
      this.weight = w.get(spec.weight()).toFloatArray();
      this.bias = w.get(spec.bias()).toFloatArray();
    }

    /** A 3x3 convolution (zero padding 1) plus bias, then LeakyReLU. */
    FeatureMap leaky(FeatureMap x) {
      FeatureMap y = ReferenceUNet.conv3x3(x, weight, out);
      int plane = y.h * y.w;
      float slope = CommunityUNetLayout.LEAKY_SLOPE;
      for (int c = 0; c < out; c++) {
        float b = bias[c];
        int base = c * plane;
        for (int i = base; i < base + plane; i++) {
          float v = y.data[i] + b;
          // Not Math.max: NaN must stay NaN, as in PyTorch.
          y.data[i] = v < 0 ? v * slope : v;
        }
      }
      return y;
    }
  }

  /**
   * BlurPool: reflection padding 1 before and 2 after on each axis, then a depthwise 4x4
   * convolution with {@code filt} ({@code [C, 1, 4, 4]}) at {@code stride}; output size
   * {@code floor((n - 1) / stride) + 1}. Needs every side at least 3 (reflection by 2).
   */
  static FeatureMap blurPool(FeatureMap x, float[] filt, int stride) {
    int k = CommunityUNetLayout.BLUR_SIZE;
    int before = CommunityUNetLayout.BLUR_PAD_BEFORE;
    checkArgument(filt.length == x.c * k * k, "filter of %s values for %s channels", filt.length,
        x.c);
    checkArgument(x.h > CommunityUNetLayout.BLUR_PAD_AFTER && x.w > CommunityUNetLayout.BLUR_PAD_AFTER,
        "BlurPool needs at least 3x3, got %sx%s", x.h, x.w);
    int oh = (x.h - 1) / stride + 1;
    int ow = (x.w - 1) / stride + 1;
    int[][] rows = new int[oh][k];
    int[][] cols = new int[ow][k];
    for (int o = 0; o < oh; o++) {
      for (int t = 0; t < k; t++) {
        rows[o][t] = ReferenceUNet.reflect(o * stride + t - before, x.h);
      }
    }
    for (int o = 0; o < ow; o++) {
      for (int t = 0; t < k; t++) {
        cols[o][t] = ReferenceUNet.reflect(o * stride + t - before, x.w);
      }
    }
    FeatureMap y = new FeatureMap(x.c, oh, ow);
    IntStream.range(0, x.c).parallel().forEach(c -> {
      int src = c * x.h * x.w;
      int dst = c * oh * ow;
      int f = c * k * k;
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          float sum = 0;
          for (int ky = 0; ky < k; ky++) {
            int row = src + rows[oy][ky] * x.w;
            for (int kx = 0; kx < k; kx++) {
              sum += filt[f + ky * k + kx] * x.data[row + cols[ox][kx]];
            }
          }
          y.data[dst + oy * ow + ox] = sum;
        }
      }
    });
    return y;
  }
}
