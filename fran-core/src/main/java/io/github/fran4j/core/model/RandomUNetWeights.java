package io.github.fran4j.core.model;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.SplittableRandom;

/**
 * Seeded random weights for a {@link UNetConfig}, for tests, parity checks and benchmarks (never for
 * training). Convolutions get He-normal weights; BatchNorm layers get non-trivial statistics
 * (gamma in [0.5, 1.5], beta and running mean in [-0.2, 0.2], running variance in [0.5, 2]) so that
 * folding and eval-mode normalisation are really exercised. Thread-safe (stateless).
 */
public final class RandomUNetWeights {
  private RandomUNetWeights() {}

  /**
   * Creates a state dict with every tensor of {@code config.weightLayout().parameters()}; BlurPool
   * filters ({@code .filt}) get the community's standard [1 3 3 1] x [1 3 3 1] / 64.
   *
   * @param config the architecture
   * @param seed the random seed; the same seed gives the same weights
   * @return the weights, with the config JSON stored under {@link UNetConfig#METADATA_KEY}
   */
  public static StateDict create(UNetConfig config, long seed) {
    checkNotNull(config, "config");
    SplittableRandom rnd = new SplittableRandom(seed);
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : config.weightLayout().parameters()) {
      int[] shape = p.shape();
      if (p.dtype() == DType.I64) {
        b.put(p.name(), Tensor.ofLongs(new long[] {0}, shape));
        continue;
      }
      float[] v = new float[Tensor.numel(shape)];
      String n = p.name();
      if (n.endsWith(".filt")) {
        float[] a = {1, 3, 3, 1};
        for (int i = 0; i < v.length; i++) {
          v[i] = a[(i / 4) % 4] * a[i % 4] / 64f;
        }
      } else if (shape.length == 4) {
        // He-normal over the fan-in; a ConvTranspose weight is (in, out, k, k).
        boolean transposed = n.endsWith(".up.weight") || n.endsWith("blur_upsample.0.weight");
        int fanIn = (transposed ? shape[0] : shape[1]) * shape[2] * shape[3];
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (gaussian(rnd) * std);
        }
      } else if (n.endsWith("running_var")) {
        fill(v, rnd, 0.5, 2.0);
      } else if (n.endsWith("running_mean") || n.endsWith(".bias")) {
        fill(v, rnd, -0.2, 0.2);
      } else {
        fill(v, rnd, 0.5, 1.5);
      }
      b.put(n, Tensor.ofFloats(v, shape));
    }
    b.putMetadata(UNetConfig.METADATA_KEY, config.toJson());
    return b.build();
  }

  private static void fill(float[] v, SplittableRandom rnd, double lo, double hi) {
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) rnd.nextDouble(lo, hi);
    }
  }

  private static double gaussian(SplittableRandom rnd) {
    // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - rnd.nextDouble();
    double w = rnd.nextDouble();
    return Math.sqrt(-2.0 * Math.log(u)) * Math.cos(2 * Math.PI * w);
  }
}
