package io.github.fran4j.core.pipeline;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A test generator whose delta is a constant per channel times the age change at the pixel:
 * {@code delta_c = k_c * (target - input)} (planes as fed, i.e. age / 100), or just {@code k_c}
 * when built with {@code ageScaled = false}. Records the shapes it was called with.
 */
final class ConstantDeltaGenerator implements Generator {
  final float[] k;
  final boolean ageScaled;
  final int multiple;
  final int resolution;
  final List<int[]> calls = new ArrayList<>();

  ConstantDeltaGenerator(float[] k, boolean ageScaled, int multiple, int resolution) {
    this.k = k;
    this.ageScaled = ageScaled;
    this.multiple = multiple;
    this.resolution = resolution;
  }

  @Override
  public synchronized Tensor predict(Tensor input) {
    int[] s = input.shape();
    calls.add(s);
    if (s[2] % multiple != 0 || s[3] % multiple != 0) {
      throw new IllegalArgumentException("size " + s[2] + "x" + s[3] + " not a multiple of " + multiple);
    }
    float[] in = input.toFloatArray();
    int plane = s[2] * s[3];
    float[] out = new float[s[0] * 3 * plane];
    for (int n = 0; n < s[0]; n++) {
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < plane; i++) {
          float scale = ageScaled ? in[(n * 5 + 4) * plane + i] - in[(n * 5 + 3) * plane + i] : 1f;
          out[(n * 3 + c) * plane + i] = k[c] * scale;
        }
      }
    }
    return Tensor.wrap(out, s[0], 3, s[2], s[3]);
  }

  @Override
  public Optional<UNetConfig> config() {
    return Optional.empty();
  }

  @Override
  public int sizeMultiple() {
    return multiple;
  }

  @Override
  public int resolution() {
    return resolution;
  }

  @Override
  public String describe() {
    return "constant-delta (test)";
  }

  @Override
  public void close() {}
}
