package io.github.fran4j.core.model;

/** How the U-Net's decoder doubles the resolution. */
public enum Upsampling {
  /**
   * A learned 2x2 stride-2 transposed convolution from C to C/2 channels (the reference default;
   * weight layout {@code (Cin, Cout, 2, 2)} plus a bias).
   */
  TRANSPOSED,
  /**
   * Bilinear x2 interpolation with {@code align_corners=true} and no parameters; the bottleneck is
   * halved and each decoder DoubleConv has a middle width of half its input.
   */
  BILINEAR
}
