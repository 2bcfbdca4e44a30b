package io.github.fran4j.core.model;

/**
 * The blur-pool filter of {@link UNetConfig#blurPool()}: the fixed separable kernel
 * {@code [1 2 1]^T [1 2 1] / 16}, applied depthwise with reflect padding 1. The one place that
 * states it: the pure-Java forward pass, the ONNX exporter and the DJL U-Net all take their
 * weights from here. Stateless.
 */
public final class BlurKernel {
  /** The kernel side. */
  public static final int SIZE = 3;

  private BlurKernel() {}

  /**
   * Returns the 1-D taps, normalised: {@code [1/4, 2/4, 1/4]}; the 2-D kernel is their outer
   * product.
   *
   * @return a new array of {@link #SIZE} taps
   */
  public static float[] taps() {
    return new float[] {1f / 4, 2f / 4, 1f / 4};
  }

  /**
   * Returns depthwise convolution weights of shape {@code [channels, 1, 3, 3]}, row-major: the
   * same 2-D kernel for every channel.
   *
   * @param channels the number of channels, at least 1
   * @return a new array of {@code channels * 9} weights
   */
  public static float[] depthwise(int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channels must be >= 1, got " + channels);
    }
    float[] t = taps();
    float[] k = new float[channels * SIZE * SIZE];
    for (int ch = 0; ch < channels; ch++) {
      for (int i = 0; i < SIZE; i++) {
        for (int j = 0; j < SIZE; j++) {
          k[(ch * SIZE + i) * SIZE + j] = t[i] * t[j];
        }
      }
    }
    return k;
  }
}
