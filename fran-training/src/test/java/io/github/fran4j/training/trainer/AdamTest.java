package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.weights.StateDict;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** Adam against a hand-written double-precision version of PyTorch's update. */
class AdamTest {
  private static final float[] C = {0.5f, -2f, 3f};

  private static Parameter param(NDManager m, float[] init) {
    Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(3)).build();
    p.setInitializer((mm, shape, dt) -> mm.create(init));
    p.initialize(m, DataType.FLOAT32);
    return p;
  }

  /** loss = sum(c * w^2) so the gradient 2 c w changes every step. */
  private static void backward(NDManager m, Parameter p) {
    try (NDManager s = m.newSubManager(); GradientCollector gc =
        Engine.getInstance().newGradientCollector()) {
      NDArray w = p.getArray();
      gc.backward(w.square().mul(s.create(C)).sum());
    }
  }

  @Test
  void matchesPyTorchFormulaAndResumesExactly() throws Exception {
    float[] init = {1f, 0.25f, -0.75f};
    double lr = 0.01;
    double[] w = {1, 0.25, -0.75};
    double[] mm = new double[3];
    double[] vv = new double[3];
    try (NDManager m = NDManager.newBaseManager()) {
      Parameter p = param(m, init);
      Adam adam = new Adam(Map.of("w", p), m);
      for (int t = 1; t <= 3; t++) {
        backward(m, p);
        adam.step(lr);
        for (int i = 0; i < 3; i++) {
          double g = 2 * C[i] * w[i];
          mm[i] = 0.9 * mm[i] + 0.1 * g;
          vv[i] = 0.999 * vv[i] + 0.001 * g * g;
          double denom = Math.sqrt(vv[i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
          w[i] -= lr / (1 - Math.pow(0.9, t)) * mm[i] / denom;
        }
        float[] got = p.getArray().toFloatArray();
        for (int i = 0; i < 3; i++) {
          assertThat((double) got[i]).as("step %s w[%s]", t, i).isCloseTo(w[i], Offset.offset(1e-6));
        }
      }
      // Save state, continue two ways: in place, and from a restored copy.
      StateDict state = adam.state();
      assertThat(state.metadata()).containsEntry("step", "3");
      float[] saved = p.getArray().toFloatArray();
      backward(m, p);
      adam.step(lr);
      float[] direct = p.getArray().toFloatArray();

      Parameter q = param(m, saved);
      try (Adam restored = new Adam(Map.of("w", q), m)) {
        restored.load(state);
        backward(m, q);
        restored.step(lr);
        assertThat(q.getArray().toFloatArray()).containsExactly(direct);
        assertThat(restored.stepCount()).isEqualTo(4);
      }
      adam.close();
      adam.close();
      assertThatThrownBy(() -> adam.step(lr)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  @Test
  void loadRejectsStateOfOtherParameters() {
    try (NDManager m = NDManager.newBaseManager()) {
      Parameter p = param(m, new float[3]);
      try (Adam adam = new Adam(Map.of("w", p), m)) {
        StateDict bad = StateDict.builder()
            .put("exp_avg.other", io.github.fran4j.core.tensor.Tensor.zeros(3))
            .putMetadata("step", "1").build();
        assertThatThrownBy(() -> adam.load(bad)).isInstanceOf(ModelFormatException.class)
            .hasMessageContaining("exp_avg.other");
        StateDict noStep = StateDict.builder().build();
        assertThatThrownBy(() -> adam.load(noStep)).isInstanceOf(ModelFormatException.class)
            .hasMessageContaining("step");
      }
    }
  }
}
