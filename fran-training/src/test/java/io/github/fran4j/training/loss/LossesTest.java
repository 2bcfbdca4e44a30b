package io.github.fran4j.training.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The elementary losses against hand-computed values. */
class LossesTest {
  private static NDManager m;

  @BeforeAll
  static void open() {
    m = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    m.close();
  }

  private static NDArray arr(float... v) {
    return m.create(v);
  }

  @Test
  void l1IsMeanAbsoluteError() {
    // |1-0| + |2-4| = 3 over 2 elements
    assertThat(Losses.l1(arr(1, 2), arr(0, 4)).getFloat()).isCloseTo(1.5f, Offset.offset(1e-7f));
  }

  @Test
  void l1RejectsShapeMismatch() {
    assertThatThrownBy(() -> Losses.l1(arr(1, 2), arr(1, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same shape");
  }

  @Test
  void bceWithLogitsMatchesHandComputedValues() {
    // label 1: log(1 + e^-x); x = 0 -> ln 2 = 0.693147, x = 2 -> 0.126928
    assertThat(Losses.bceWithLogits(arr(0, 2), 1f).getFloat())
        .isCloseTo(0.410038f, Offset.offset(1e-5f));
    // label 0: x + log(1 + e^-x); x = 0 -> 0.693147, x = 2 -> 2.126928
    assertThat(Losses.bceWithLogits(arr(0, 2), 0f).getFloat())
        .isCloseTo(1.410038f, Offset.offset(1e-5f));
    // Stable for large logits (a naive log(sigmoid) gives inf).
    assertThat(Losses.bceWithLogits(arr(100f), 0f).getFloat()).isCloseTo(100f, Offset.offset(1e-4f));
    assertThat(Losses.bceWithLogits(arr(-100f), 1f).getFloat()).isCloseTo(100f, Offset.offset(1e-4f));
    assertThat(Losses.generatorAdversarial(arr(0f)).getFloat())
        .isCloseTo(0.693147f, Offset.offset(1e-6f));
  }

  @Test
  void discriminatorLossSumsThreeTerms() {
    // BCE(0 -> label 0) + BCE(2 -> label 1) + BCE(-1 -> label 0)
    // = 0.693147 + 0.126928 + 0.313262
    float got = Losses.discriminator(arr(0f), arr(2f), arr(-1f)).getFloat();
    assertThat(got).isCloseTo(1.133337f, Offset.offset(1e-5f));
  }

  @Test
  void wrongAgesAreOtherAgesUniformly() {
    WrongAges w = new WrongAges(new int[] {20, 10, 15, 20});
    int[] targets = new int[3000];
    for (int i = 0; i < targets.length; i++) {
      targets[i] = 15;
    }
    int[] got = w.draw(targets, new SplittableRandom(1));
    int tens = 0;
    for (int a : got) {
      assertThat(a).isIn(10, 20);
      tens += a == 10 ? 1 : 0;
    }
    assertThat(tens).isBetween(1350, 1650);
    assertThatThrownBy(() -> w.draw(new int[] {30}, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("30");
    assertThatThrownBy(() -> new WrongAges(new int[] {20, 20}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two distinct");
  }

  @Test
  void lossWeightsRejectNegative() {
    assertThat(LossWeights.DEFAULT).isEqualTo(new LossWeights(1, 1, 0.05));
    assertThatThrownBy(() -> new LossWeights(1, -1, 0.05))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lpips");
    assertThatThrownBy(() -> LossWeights.DEFAULT.withDetail(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("detail weight must be >= 0, got -1.0");
    assertThatThrownBy(() -> LossWeights.DEFAULT.withDetail(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("detail");
  }

  @Test
  void theReferenceHasNoDetailTerm() {
    assertThat(LossWeights.DEFAULT.detail()).isZero();
    assertThat(new LossWeights(1, 1, 0.05).detail()).isZero();
    assertThat(LossWeights.DEFAULT.withDetail(8))
        .isEqualTo(new LossWeights(1, 1, 0.05, 8));
  }

  @Test
  void detailIsTheMeanAbsoluteHighPassOfTheError() {
    int n = 2;
    int c = 3;
    int h = 5;
    int w = 4;
    SplittableRandom r = new SplittableRandom(3);
    float[] p = new float[n * c * h * w];
    float[] t = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (float) r.nextDouble();
      t[i] = (float) r.nextDouble();
    }
    NDArray pred = m.create(p, new ai.djl.ndarray.types.Shape(n, c, h, w));
    NDArray target = m.create(t, new ai.djl.ndarray.types.Shape(n, c, h, w));
    // Naive: e = p - t; blur with [1 2 1]^T [1 2 1] / 16 and reflect padding (index -1 -> 1,
    // index H -> H - 2), then the mean of |e - blur(e)|.
    int[] k = {1, 2, 1};
    double sum = 0;
    for (int img = 0; img < n * c; img++) {
      int base = img * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          double blur = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int yy = reflect(y + dy, h);
              int xx = reflect(x + dx, w);
              int j = base + yy * w + xx;
              blur += k[dy + 1] * k[dx + 1] * (p[j] - t[j]) / 16.0;
            }
          }
          int j = base + y * w + x;
          sum += Math.abs(p[j] - t[j] - blur);
        }
      }
    }
    assertThat(Losses.detail(pred, target).getFloat())
        .isCloseTo((float) (sum / p.length), Offset.offset(1e-6f));
    // A uniform error (a colour shift) has no detail; a one-pixel line has.
    NDArray flat = m.full(new ai.djl.ndarray.types.Shape(1, 1, 4, 4), 0.5f);
    assertThat(Losses.detail(flat, m.zeros(flat.getShape())).getFloat())
        .isCloseTo(0f, Offset.offset(1e-7f));
    float[] line = new float[16];
    for (int x = 0; x < 4; x++) {
      line[4 + x] = 1f;
    }
    NDArray lined = m.create(line, new ai.djl.ndarray.types.Shape(1, 1, 4, 4));
    assertThat(Losses.detail(lined, m.zeros(lined.getShape())).getFloat()).isGreaterThan(0.2f);
    assertThatThrownBy(() -> Losses.detail(pred, flat))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("same shape");
  }

  private static int reflect(int i, int n) {
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
  }
}
