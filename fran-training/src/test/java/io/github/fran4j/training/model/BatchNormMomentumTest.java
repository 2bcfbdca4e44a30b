package io.github.fran4j.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

/**
 * Pins the engine semantics {@link DoubleConvBlock} relies on: DJL's BatchNorm momentum 0.9 on the
 * PyTorch engine moves the running mean 10% of the way to the batch mean per training forward, as
 * PyTorch's momentum 0.1 does (the running statistics the eval-mode validation and the exported
 * model use).
 */
class BatchNormMomentumTest {
  @Test
  void momentumPointNineKeepsNinetyPercentOfTheOldRunningMean() {
    try (NDManager m = NDManager.newBaseManager()) {
      BatchNorm bn = BatchNorm.builder().optEpsilon(1e-5f).optMomentum(0.9f).build();
      bn.initialize(m, DataType.FLOAT32, new Shape(2, 1, 2, 2));
      ParameterStore ps = new ParameterStore(m, false);
      // Channel mean 5 (values 4 and 6), running mean starts at 0.
      float[] x = {4, 6, 4, 6, 6, 4, 6, 4};
      bn.forward(ps, new NDList(m.create(x, new Shape(2, 1, 2, 2))), true);
      float mean = bn.getParameters().get("runningMean").getArray().getFloat(0);
      assertThat(mean).isCloseTo(0.5f, org.assertj.core.data.Offset.offset(1e-5f));
      bn.forward(ps, new NDList(m.create(x, new Shape(2, 1, 2, 2))), true);
      mean = bn.getParameters().get("runningMean").getArray().getFloat(0);
      assertThat(mean).isCloseTo(0.95f, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }
}
