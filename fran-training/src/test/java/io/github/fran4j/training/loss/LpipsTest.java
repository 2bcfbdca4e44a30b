package io.github.fran4j.training.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.nio.file.Path;
import java.util.Arrays;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LPIPS against PyTorch: the fixture (src/test/python/make_lpips_fixture.py) holds a network with
 * torchvision VGG16's exact layer structure at tiny widths, random weights, two image batches, the
 * distances PyTorch computed and the gradient of their mean.
 */
class LpipsTest {
  private static NDManager m;
  private static StateDict weights;
  private static StateDict testCase;

  @BeforeAll
  static void open() throws Exception {
    m = NDManager.newBaseManager();
    weights = SafeTensors.read(resource("lpips-tiny-vgg16.safetensors"));
    testCase = SafeTensors.read(resource("lpips-tiny-case.safetensors"));
  }

  static Path resource(String name) throws Exception {
    return Path.of(LpipsTest.class.getResource("/lpips/" + name).toURI());
  }

  @AfterAll
  static void close() {
    m.close();
  }

  private static NDArray create(NDManager mm, Tensor t) {
    return mm.create(t.toFloatArray(), new Shape(Arrays.stream(t.shape()).mapToLong(i -> i).toArray()));
  }

  @Test
  void distanceAndGradientMatchPyTorch() throws Exception {
    try (Lpips lpips = Lpips.fromStateDict(weights, m); NDManager sub = m.newSubManager()) {
      NDArray x0 = create(sub, testCase.get("x0"));
      NDArray x1 = create(sub, testCase.get("x1"));
      float[] expected = testCase.get("distance").toFloatArray();
      float[] got = lpips.distance(x0, x1).toFloatArray();
      assertThat(got).hasSize(2);
      for (int i = 0; i < 2; i++) {
        assertThat(got[i]).isCloseTo(expected[i], Offset.offset(1e-5f));
      }
      assertThat(lpips.distance(x0, x0).toFloatArray()).containsOnly(0f);

      x0.setRequiresGradient(true);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(lpips.loss(x0, x1));
      }
      float[] grad = x0.getGradient().toFloatArray();
      float[] expectedGrad = testCase.get("grad_x0").toFloatArray();
      double maxAbs = 0;
      for (float v : expectedGrad) {
        maxAbs = Math.max(maxAbs, Math.abs(v));
      }
      for (int i = 0; i < grad.length; i++) {
        assertThat((double) grad[i]).as("grad[%s]", i).isCloseTo(expectedGrad[i],
            Offset.offset(1e-4 * maxAbs));
      }
    }
  }

  @Test
  void rejectsFileWithoutLinWeights() {
    StateDict broken = weights.toBuilder().remove("lin3.model.1.weight").build();
    assertThatThrownBy(() -> Lpips.fromStateDict(broken, m))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("lin3.model.1.weight missing")
        .hasMessageContaining("docs/training.md");
  }

  @Test
  void rejectsMisshapedConvAndTinyImages() throws Exception {
    StateDict broken = weights.toBuilder()
        .put("features.5.weight", Tensor.zeros(8, 3, 3, 3))
        .build();
    assertThatThrownBy(() -> Lpips.fromStateDict(broken, m))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("features.5.weight is [8, 3, 3, 3]");
    try (Lpips lpips = Lpips.fromStateDict(weights, m); NDManager sub = m.newSubManager()) {
      NDArray small = sub.zeros(new Shape(1, 3, 8, 8));
      assertThatThrownBy(() -> lpips.distance(small, small))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(">= 16");
      lpips.close();
      lpips.close(); // idempotent
      NDArray ok = sub.zeros(new Shape(1, 3, 16, 16));
      assertThatThrownBy(() -> lpips.distance(ok, ok))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
