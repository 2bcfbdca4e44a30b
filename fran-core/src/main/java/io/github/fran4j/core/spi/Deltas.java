package io.github.fran4j.core.spi;

import io.github.fran4j.core.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Checks on what a {@link Generator} returns, applied by every caller of
 * {@link Generator#predict} before a delta becomes pixels. Thread-safe (stateless).
 */
public final class Deltas {
  private Deltas() {}

  /**
   * Refuses a delta with NaN or infinite values: added to an image and clamped they would give a
   * black or saturated picture with no error at all.
   *
   * @param generator the generator that produced the delta, named in the message
   * @param delta its output
   * @return {@code delta}
   * @throws IllegalStateException naming the generator (backend and model), the count of
   *     non-finite values and the first one's position
   */
  public static Tensor requireFinite(Generator generator, Tensor delta) {
    FloatBuffer b = delta.floatBuffer();
    for (int i = 0; i < b.limit(); i++) {
      if (!Float.isFinite(b.get(i))) {
        int bad = 0;
        for (int j = i; j < b.limit(); j++) {
          bad += Float.isFinite(b.get(j)) ? 0 : 1;
        }
        throw new IllegalStateException("model " + generator.describe() + " returned a delta "
            + "with " + bad + " non-finite value(s) (first: " + b.get(i) + " at flat index " + i
            + " of " + java.util.Arrays.toString(delta.shape()) + "); expected finite values. "
            + "Its weights are probably broken (a diverged training run); no image was produced");
      }
    }
    return delta;
  }
}
