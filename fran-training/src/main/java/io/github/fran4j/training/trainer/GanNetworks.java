package io.github.fran4j.training.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.loss.Lpips;
import io.github.fran4j.training.model.DiscriminatorBlock;
import io.github.fran4j.training.model.GeneratorBlock;
import io.github.fran4j.training.model.NativeArrays;

/**
 * The generator, the discriminator, the optional LPIPS network and how a batch becomes their
 * inputs: shared by the {@link TrainingStep} and the {@link Validation}, so both encode images and
 * ages the same way. Owns nothing: the trainer closes the manager and LPIPS. Not thread-safe.
 */
final class GanNetworks {
  /** The model inputs of one batch, all in the caller's manager. */
  record Inputs(NDArray a, NDArray b, NDArray ageA, NDArray ageB, NDArray gIn, int n) {}

  final GeneratorBlock g;
  final DiscriminatorBlock d;
  /** Null without LPIPS. */
  final Lpips lpips;
  final ParameterStore ps;
  final int res;

  GanNetworks(GeneratorBlock g, DiscriminatorBlock d, Lpips lpips, ParameterStore ps, int res) {
    this.g = g;
    this.d = d;
    this.lpips = lpips;
    this.ps = ps;
    this.res = res;
  }

  Inputs inputs(NDManager m, PairBatch pb) {
    int n = pb.size();
    Shape img = new Shape(n, 3, res, res);
    NDArray a = NativeArrays.create(m, pb.imagesA(), img);
    NDArray b = NativeArrays.create(m, pb.imagesB(), img);
    NDArray ageA = agePlane(m, pb.agesA(), n);
    NDArray ageB = agePlane(m, pb.agesB(), n);
    NDArray gIn = a.concat(ageA, 1).concat(ageB, 1);
    return new Inputs(a, b, ageA, ageB, gIn, n);
  }

  NDArray agePlane(NDManager m, float[] agesYears, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = agesYears[i] / GeneratorInput.AGE_SCALE; // the SDK's one age encoding
    }
    return NativeArrays.create(m, v, new Shape(n, 1, 1, 1)).broadcast(new Shape(n, 1, res, res));
  }

  /** The generator's delta for the inputs. */
  NDArray delta(Inputs in, boolean training) {
    return g.forward(ps, new NDList(in.gIn()), training).singletonOrThrow();
  }

  NDArray discriminate(NDArray image, NDArray agePlane, boolean training) {
    return d.forward(ps, new NDList(image.concat(agePlane, 1)), training).singletonOrThrow();
  }

  static int[] toInts(float[] a) {
    int[] r = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = Math.round(a[i]);
    }
    return r;
  }

  static float[] toYears(int[] a) {
    float[] r = new float[a.length];
    for (int i = 0; i < a.length; i++) {
      r[i] = a[i];
    }
    return r;
  }

  /** A seed for a draw from the run's seed and a position (splitmix64's finaliser). */
  static long mix(long seed, long x) {
    long z = seed * 0x9E3779B97F4A7C15L + x;
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}
