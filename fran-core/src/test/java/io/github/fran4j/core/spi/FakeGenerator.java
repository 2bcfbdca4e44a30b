package io.github.fran4j.core.spi;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test generator with a hand-computable, pointwise delta:
 * {@code delta_c = 0.5 * (target - input) + 0.1 * (c - 1) * x_c}, where ages are the planes'
 * values (age / 100) and x_c the channel's input value. It records the last input shape.
 */
public final class FakeGenerator implements Generator {
  private final int sizeMultiple;
  private final AtomicInteger closeCount = new AtomicInteger();
  private volatile int[] lastShape;

  /**
   * Creates the generator.
   *
   * @param sizeMultiple the multiple it demands of H and W
   */
  public FakeGenerator(int sizeMultiple) {
    this.sizeMultiple = sizeMultiple;
  }

  /**
   * The delta the fake computes for one pixel, written independently of the loop below.
   *
   * @param channel 0..2
   * @param x the channel's input value
   * @param inputAge the input age in years
   * @param targetAge the target age in years
   * @return the delta
   */
  public static double expectedDelta(int channel, double x, double inputAge, double targetAge) {
    return 0.5 * (targetAge / 100.0 - inputAge / 100.0) + 0.1 * (channel - 1) * x;
  }

  @Override
  public Tensor predict(Tensor input) {
    if (closeCount.get() > 0) {
      throw new IllegalStateException("closed");
    }
    int[] s = input.shape();
    lastShape = s;
    if (s[2] % sizeMultiple != 0 || s[3] % sizeMultiple != 0) {
      throw new IllegalArgumentException("size not a multiple of " + sizeMultiple);
    }
    float[] in = input.toFloatArray();
    int plane = s[2] * s[3];
    float[] out = new float[s[0] * 3 * plane];
    for (int n = 0; n < s[0]; n++) {
      int base = n * 5 * plane;
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < plane; i++) {
          float a = in[base + 3 * plane + i];
          float b = in[base + 4 * plane + i];
          out[(n * 3 + c) * plane + i] = 0.5f * (b - a) + 0.1f * (c - 1) * in[base + c * plane + i];
        }
      }
    }
    return Tensor.wrap(out, s[0], 3, s[2], s[3]);
  }

  /** Returns the shape of the last input, or null. */
  public int[] lastShape() {
    return lastShape;
  }

  /** Returns how many times close was called. */
  public int closeCount() {
    return closeCount.get();
  }

  @Override
  public Optional<UNetConfig> config() {
    return Optional.empty();
  }

  @Override
  public int sizeMultiple() {
    return sizeMultiple;
  }

  @Override
  public int resolution() {
    return 256;
  }

  @Override
  public String describe() {
    return "fake (cpu)";
  }

  @Override
  public void close() {
    closeCount.incrementAndGet();
  }
}
