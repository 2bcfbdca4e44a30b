package io.github.fran4j.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link Generator} must meet, checked against the PyTorch fixtures of
 * {@link Fixtures}. One subclass per backend implements {@link #open}; other modules reach this
 * class through fran-core's test-jar.
 */
public abstract class GeneratorConformanceTest {
  /** A fresh temporary directory per test, for backends that convert the weights to a file. */
  @TempDir protected Path tempDir;

  /**
   * Opens a generator for a U-Net fixture case. A backend that needs another format converts
   * {@link Fixtures#unetWeights} (e.g. exports it to ONNX in {@link #tempDir}) first.
   *
   * @param unetCase one of {@link Fixtures#UNET_CASES}
   * @return the generator; the test closes it
   * @throws Exception if it cannot be opened
   */
  protected abstract Generator open(String unetCase) throws Exception;

  /**
   * Returns the cases this backend is checked on (all by default).
   *
   * @return case names from {@link Fixtures#UNET_CASES}
   */
  protected List<String> cases() {
    return Fixtures.UNET_CASES;
  }

  /**
   * Returns the largest accepted difference from PyTorch's outputs.
   *
   * @return the tolerance, {@link Fixtures#UNET_TOLERANCE} by default
   */
  protected double tolerance() {
    return Fixtures.UNET_TOLERANCE;
  }

  static List<String> allCases() {
    return Fixtures.UNET_CASES;
  }

  /**
   * Every input whose size the generator accepts gives PyTorch's output within
   * {@link #tolerance()}.
   *
   * @param unetCase the case
   * @throws Exception on failure
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("allCases")
  public void matchesPyTorch(String unetCase) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(cases().contains(unetCase),
        "case not supported by this backend: " + unetCase);
    StateDict io = Fixtures.unetIo(unetCase);
    int checked = 0;
    try (Generator g = open(unetCase)) {
      for (String key : io.names()) {
        if (!key.startsWith("input.")) {
          continue;
        }
        Tensor input = io.get(key);
        if (input.dim(2) % g.sizeMultiple() != 0 || input.dim(3) % g.sizeMultiple() != 0) {
          continue;
        }
        Tensor expected = io.get("output." + key.substring("input.".length()));
        Tensor actual = g.predict(input);
        assertThat(actual.shape()).as(key).isEqualTo(expected.shape());
        assertThat(Fixtures.maxAbsDiff(actual, expected))
            .as("%s %s: max |%s - pytorch|", unetCase, key, g.describe())
            .isLessThan(tolerance());
        checked++;
      }
    }
    assertThat(checked).as("inputs of an accepted size").isPositive();
  }

  /**
   * The generator reports the fixture's architecture (when it reports one) and a description.
   *
   * @throws Exception on failure
   */
  @Test
  public void describesItself() throws Exception {
    String unetCase = cases().get(0);
    UNetConfig expected = UNetConfig.fromStateDict(Fixtures.unetWeights(unetCase));
    try (Generator g = open(unetCase)) {
      assertThat(g.describe()).isNotBlank();
      g.config().ifPresent(c -> assertThat(c).isEqualTo(expected));
      assertThat(expected.sizeMultiple() % g.sizeMultiple()).isZero();
      assertThat(g.resolution()).isEqualTo(expected.trainingResolution());
    }
  }

  /**
   * Concurrent calls give the same result as a single call.
   *
   * @throws Exception on failure
   */
  @Test
  public void isThreadSafeAndDeterministic() throws Exception {
    String unetCase = cases().get(0);
    try (Generator g = open(unetCase)) {
      Tensor input = firstAcceptedInput(unetCase, g.sizeMultiple());
      Tensor once = g.predict(input);
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<Tensor>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
          futures.add(pool.submit(() -> g.predict(input)));
        }
        for (Future<Tensor> f : futures) {
          assertThat(Fixtures.maxAbsDiff(f.get(), once)).isZero();
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A wrong channel count is an {@link IllegalArgumentException} naming the shape given and the
   * shape expected.
   *
   * @throws Exception on failure
   */
  @Test
  public void rejectsWrongChannelCount() throws Exception {
    try (Generator g = open(cases().get(0))) {
      int s = 4 * g.sizeMultiple();
      assertThatThrownBy(() -> g.predict(Tensor.zeros(1, 4, s, s)))
          .isInstanceOf(IllegalArgumentException.class)
          // The shape given and the shape expected, not merely some "4" somewhere.
          .hasMessageContaining("[1, 4, " + s + ", " + s + "]")
          .hasMessageContaining("[N, 5, H, W]");
    }
  }

  /**
   * Close is idempotent; predict after close is an {@link IllegalStateException}.
   *
   * @throws Exception on failure
   */
  @Test
  public void closeIsIdempotentAndFinal() throws Exception {
    String unetCase = cases().get(0);
    Generator g = open(unetCase);
    Tensor input = firstAcceptedInput(unetCase, g.sizeMultiple());
    g.predict(input);
    g.close();
    g.close();
    assertThatThrownBy(() -> g.predict(input)).isInstanceOf(IllegalStateException.class);
  }

  private static Tensor firstAcceptedInput(String unetCase, int multiple) {
    StateDict io = Fixtures.unetIo(unetCase);
    for (String key : io.names()) {
      Tensor t = io.get(key);
      if (key.startsWith("input.") && t.dim(2) % multiple == 0 && t.dim(3) % multiple == 0) {
        return t;
      }
    }
    throw new IllegalStateException("no input of a multiple of " + multiple + " in " + unetCase);
  }
}
