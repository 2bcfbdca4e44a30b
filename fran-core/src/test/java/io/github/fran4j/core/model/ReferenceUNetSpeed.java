package io.github.fran4j.core.model;

import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import java.util.Random;

/**
 * A JMH-free speed measurement of {@link ReferenceUNet} (not a test): random weights, a few
 * warm-up runs, then the median of timed runs. Results go in {@code docs/benchmarks.md}.
 *
 * <p>Usage: {@code java -cp <test classpath> io.github.fran4j.core.model.ReferenceUNetSpeed
 * WIDTH DEPTH SIZE [RUNS]}.
 */
public final class ReferenceUNetSpeed {
  private ReferenceUNetSpeed() {}

  /**
   * Runs the measurement.
   *
   * @param args width, depth, size and optionally the number of timed runs
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    int width = Integer.parseInt(args[0]);
    int depth = Integer.parseInt(args[1]);
    int size = Integer.parseInt(args[2]);
    int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    UNetConfig config =
        UNetConfig.builder().optBaseWidth(width).optDepth(depth).optTrainingResolution(size)
            .build();
    ReferenceUNet net = ReferenceUNet.create(Fixtures.randomWeights(config, 1), config);
    float[] x = new float[5 * size * size];
    Random r = new Random(2);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    Tensor input = Tensor.ofFloats(x, 1, 5, size, size);
    int warmup = Math.max(1, Math.min(3, runs));
    for (int i = 0; i < warmup; i++) {
      net.forward(input);
    }
    double[] ms = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      net.forward(input);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    java.util.Arrays.sort(ms);
    System.out.printf("width %d depth %d %dx%d: median %.1f ms (min %.1f, max %.1f) over %d runs, "
            + "%d threads in the common pool, %d parameters%n",
        width, depth, size, size, ms[runs / 2], ms[0], ms[runs - 1], runs,
        java.util.concurrent.ForkJoinPool.getCommonPoolParallelism(),
        config.layout().trainableParameterCount());
  }
}
