package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.CommunityUNetLayout;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;

/**
 * Counts the multiply-add FLOPs (2 per MAC) of the U-Net's convolutions for one input, from
 * {@link UNetLayout}: 3x3 DoubleConv convs, 2x2 transposed convs, the 1x1 output conv and, with
 * blur-pool, the depthwise 3x3 blurs. Pooling, ReLU, padding and bilinear resizing are not counted
 * (they are memory-bound and small). Thread-safe (stateless).
 */
final class UNetFlops {
  private UNetFlops() {}

  /**
   * Returns the FLOPs for one {@code [1, 5, h, w]} input.
   *
   * @param config the architecture
   * @param h input height
   * @param w input width
   * @return 2 x multiply-accumulates
   */
  static double count(UNetConfig config, int h, int w) {
    if (config.family() == UNetFamily.COMMUNITY) {
      return community(config.communityLayout(), h, w);
    }
    UNetLayout l = config.layout();
    int depth = config.depth();
    int[] hs = new int[depth + 1];
    int[] ws = new int[depth + 1];
    hs[0] = h;
    ws[0] = w;
    for (int i = 1; i <= depth; i++) {
      hs[i] = hs[i - 1] / 2;
      ws[i] = ws[i - 1] / 2;
    }
    double f = doubleConv(l.inc(), hs[0], ws[0]);
    for (int i = 1; i <= depth; i++) {
      f += doubleConv(l.down(i), hs[i], ws[i]);
      if (config.blurPool()) {
        f += 2.0 * 9 * l.down(i).in() * hs[i] * ws[i];
      }
    }
    for (int i = 1; i <= depth; i++) {
      int below = depth - i + 1;
      int c = l.upInput(i);
      int upOut = config.upsampling() == Upsampling.TRANSPOSED ? c / 2 : c;
      if (config.upsampling() == Upsampling.TRANSPOSED) {
        f += 2.0 * c * (c / 2) * 4 * hs[below] * ws[below];
      }
      if (config.blurPool()) {
        f += 2.0 * 9 * upOut * (2 * hs[below]) * (2 * ws[below]);
      }
      f += doubleConv(l.upConv(i), hs[depth - i], ws[depth - i]);
    }
    f += 2.0 * config.baseWidth() * config.outChannels() * h * w;
    return f;
  }

  /**
   * The community family: 3x3 convs with bias, the depthwise 4x4 BlurPools (stride 2 after each
   * down-sampling max-pool, stride 1 after each transposed conv), the 2x2 transposed convs and the
   * 1x1 output conv.
   */
  private static double community(CommunityUNetLayout l, int h, int w) {
    int depth = l.config().depth();
    double[] px = new double[depth + 1];
    for (int i = 0; i <= depth; i++) {
      px[i] = (double) (h >> i) * (w >> i);
    }
    double f = conv(l.initConv(0), px[0]) + conv(l.initConv(1), px[0]);
    for (int i = 1; i <= depth; i++) {
      f += 2.0 * CommunityUNetLayout.BLUR_SIZE * CommunityUNetLayout.BLUR_SIZE
          * l.downBlur(i).channels() * px[i];
      f += conv(l.downConv(i, 0), px[i]) + conv(l.downConv(i, 1), px[i]);
    }
    for (int i = 1; i <= depth; i++) {
      int level = depth - i;
      f += conv(l.upTransposed(i), px[level]); // 2x2 taps per output pixel of the finer level
      f += 2.0 * CommunityUNetLayout.BLUR_SIZE * CommunityUNetLayout.BLUR_SIZE
          * l.upBlur(i).channels() * px[level];
      f += conv(l.upConv(i, 0), px[level]) + conv(l.upConv(i, 1), px[level]);
    }
    return f + conv(l.finalConv(), px[0]);
  }

  /**
   * A conv's FLOPs over {@code pixels} output pixels; a transposed 2x2 stride-2 conv touches each
   * output pixel with one tap, i.e. in x out MACs per output pixel.
   */
  private static double conv(CommunityUNetLayout.Conv c, double pixels) {
    double taps = c.transposed() ? 1 : (double) c.kernel() * c.kernel();
    return 2.0 * taps * c.in() * c.out() * pixels;
  }

  private static double doubleConv(UNetLayout.DoubleConv b, int h, int w) {
    return 2.0 * 9 * ((double) b.in() * b.mid() + (double) b.mid() * b.out()) * h * w;
  }
}
