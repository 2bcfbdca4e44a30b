package io.github.fran4j.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.StateDict;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DJL community U-Net against real PyTorch: forward on every fixture size that is a multiple
 * of 2^depth, and one backward pass's gradients (fixtures by
 * {@code fran-core/src/test/python/make_community_fixtures.py}).
 */
class CommunityUNetParityTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static CommunityUNet load(StateDict w) throws ModelFormatException {
    UNetConfig c = UNetConfig.fromStateDict(w);
    CommunityUNet u = new CommunityUNet(c);
    u.initialize(manager, DataType.FLOAT32, new Shape(1, 5, 32, 32));
    u.loadStateDict(w);
    return u;
  }

  private static NDArray array(NDManager m, Tensor t) {
    return m.create(t.toFloatArray(), new Shape(Arrays.stream(t.shape()).mapToLong(i -> i).toArray()));
  }

  private static double maxDiff(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }

  @ParameterizedTest
  @ValueSource(strings = {"community_w4", "community_w8_d2"})
  void forwardMatchesPyTorch(String name) throws Exception {
    StateDict w = Fixtures.communityWeights(name);
    CommunityUNet u = load(w);
    StateDict io = Fixtures.communityIo(name);
    int m = u.config().sizeMultiple();
    int checked = 0;
    for (String key : io.names()) {
      Tensor in = key.startsWith("input.") ? io.get(key) : null;
      if (in == null || in.dim(2) % m != 0 || in.dim(3) % m != 0) {
        continue;
      }
      try (NDManager s = manager.newSubManager()) {
        NDArray y = u.forward(new ParameterStore(s, false), new NDList(array(s, in)), false)
            .singletonOrThrow();
        float[] expected = io.get("output." + key.substring("input.".length())).toFloatArray();
        assertThat(maxDiff(y.toFloatArray(), expected)).as("%s %s", name, key)
            .isLessThan(Fixtures.UNET_TOLERANCE);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(1);
    // The state dict round-trips, filters (perturbed in the w8 fixture) included.
    StateDict back = u.toStateDict();
    for (String n : w.names()) {
      assertThat(back.get(n).toFloatArray()).as(n).containsExactly(w.get(n).toFloatArray());
    }
  }

  @Test
  void gradientsOfOneStepMatchPyTorch() throws Exception {
    StateDict w = Fixtures.communityWeights("community_w8_d2");
    CommunityUNet u = load(w);
    StateDict g = io.github.fran4j.core.weights.SafeTensors.read(
        Fixtures.bytes("/fixtures/community/community_w8_d2.grad.safetensors"), "grad");
    Map<String, Parameter> params = u.parametersByName();
    assertThat(params.keySet().stream().map(n -> "grad." + n).toList())
        .containsExactlyInAnyOrderElementsOf(
            g.names().stream().filter(n -> n.startsWith("grad.")).toList());
    try (NDManager s = manager.newSubManager()) {
      NDArray x = array(s, g.get("input"));
      NDArray r = array(s, g.get("r"));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray y = u.forward(new ParameterStore(s, false), new NDList(x), true)
            .singletonOrThrow();
        NDArray loss = y.mul(r).mean();
        assertThat(maxDiff(y.toFloatArray(), g.get("output").toFloatArray())).isLessThan(1e-4);
        assertThat((double) loss.getFloat()).isCloseTo(g.get("loss").toFloatArray()[0],
            org.assertj.core.data.Offset.offset(1e-6));
        gc.backward(loss);
      }
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        float[] expected = g.get("grad." + e.getKey()).toFloatArray();
        float[] actual = e.getValue().getArray().getGradient().toFloatArray();
        double scale = 0;
        for (float v : expected) {
          scale = Math.max(scale, Math.abs(v));
        }
        // Relative to the tensor's largest gradient (they are ~1e-2 here), so the check has teeth.
        assertThat(maxDiff(actual, expected) / scale).as("grad %s (largest %s)", e.getKey(), scale)
            .isLessThan(1e-4);
      }
    }
  }

  @Test
  void sizesTheFamilyCannotRunAreRefused() throws Exception {
    CommunityUNet u = load(Fixtures.communityWeights("community_w8_d2"));
    try (NDManager s = manager.newSubManager()) {
      NDArray x = s.zeros(new Shape(1, 5, 18, 16));
      assertThatThrownBy(() -> u.forward(new ParameterStore(s, false), new NDList(x), false))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiples of 4");
    }
    assertThatThrownBy(() -> new CommunityUNet(UNetConfig.reference()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reference");
  }
}
