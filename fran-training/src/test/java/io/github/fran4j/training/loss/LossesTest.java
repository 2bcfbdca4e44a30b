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
  }
}
