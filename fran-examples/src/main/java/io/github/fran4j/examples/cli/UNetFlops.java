package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.UNetConfig;
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

  private static double doubleConv(UNetLayout.DoubleConv b, int h, int w) {
    return 2.0 * 9 * ((double) b.in() * b.mid() + (double) b.mid() * b.out()) * h * w;
  }
}
