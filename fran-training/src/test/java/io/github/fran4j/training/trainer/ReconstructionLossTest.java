package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Losses;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The generator's reconstruction terms add the detail term only with its weight. */
class ReconstructionLossTest {
  @Test
  void totalIsTheWeightedSumOfL1AndDetail() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pred = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
      NDArray target = m.randomUniform(0, 1, new Shape(2, 3, 8, 8));
      float l1 = Losses.l1(pred, target).getFloat();
      float detail = Losses.detail(pred, target).getFloat();
      assertThat(detail).isGreaterThan(0.01f);

      ReconstructionLoss reference = ReconstructionLoss.of(pred, target, LossWeights.DEFAULT, null);
      assertThat(reference.total().getFloat()).isCloseTo(l1, Offset.offset(1e-6f));
      assertThat(reference.l1().getFloat()).isCloseTo(l1, Offset.offset(1e-6f));
      assertThat(reference.lpipsValue()).isNaN();

      ReconstructionLoss weighted =
          ReconstructionLoss.of(pred, target, new LossWeights(0.5, 1, 0.05, 3), null);
      assertThat(weighted.total().getFloat())
          .isCloseTo(0.5f * l1 + 3 * detail, Offset.offset(1e-5f));
      assertThat(weighted.l1().getFloat()).isCloseTo(l1, Offset.offset(1e-6f));
    }
  }
}
