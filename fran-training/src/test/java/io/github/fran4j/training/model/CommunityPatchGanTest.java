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
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.training.loss.Losses;
import java.util.Arrays;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The community PatchGAN and its losses against real PyTorch (fixture by
 * {@code fran-core/src/test/python/make_community_fixtures.py}): eval and train-mode logits, the
 * weighted D loss and its gradients, and the generator's L1 and adversarial terms.
 */
class CommunityPatchGanTest {
  private static NDManager manager;
  private static StateDict weights;
  private static StateDict io;

  @BeforeAll
  static void open() throws Exception {
    manager = NDManager.newBaseManager();
    weights = Fixtures.communityWeights("community_d_w8");
    io = SafeTensors.read(Fixtures.bytes("/fixtures/community/community_d_w8.io.safetensors"),
        "community_d_w8.io");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  private static CommunityPatchGan load(StateDict w) throws ModelFormatException {
    CommunityPatchGan d = new CommunityPatchGan(CommunityPatchGan.widthOf(w));
    d.initialize(manager, DataType.FLOAT32, new Shape(1, 4, 32, 32));
    d.loadStateDict(w);
    return d;
  }

  private static NDArray array(NDManager m, String name) {
    Tensor t = io.get(name);
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

  @Test
  void logitsMatchPyTorchInEvalAndTrainMode() throws Exception {
    CommunityPatchGan d = load(weights);
    assertThat(d.width()).isEqualTo(8);
    try (NDManager s = manager.newSubManager()) {
      ParameterStore ps = new ParameterStore(s, false);
      NDArray eval = d.forward(ps, new NDList(array(s, "input")), false).singletonOrThrow();
      assertThat(eval.getShape()).isEqualTo(new Shape(2, 1, 3, 3));
      assertThat(maxDiff(eval.toFloatArray(), io.get("eval").toFloatArray())).isLessThan(1e-4);
      NDArray train = d.forward(ps, new NDList(array(s, "input")), true).singletonOrThrow();
      assertThat(maxDiff(train.toFloatArray(), io.get("train").toFloatArray())).isLessThan(1e-4);
      // Batch statistics differ from the stored ones, so the two modes must differ.
      assertThat(maxDiff(train.toFloatArray(), eval.toFloatArray())).isGreaterThan(1e-3);
    }
  }

  @Test
  void lossesAndDiscriminatorGradientsMatchPyTorch() throws Exception {
    CommunityPatchGan d = load(weights);
    try (NDManager s = manager.newSubManager()) {
      ParameterStore ps = new ParameterStore(s, false);
      NDArray src = array(s, "source");
      NDArray tgt = array(s, "target");
      NDArray out = array(s, "output");
      NDArray srcAge = array(s, "source_age");
      NDArray tgtAge = array(s, "target_age");
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray loss = Losses.communityDiscriminator(
            logits(d, ps, out, tgtAge, true), logits(d, ps, tgt, tgtAge, true),
            logits(d, ps, src, tgtAge, true), logits(d, ps, tgt, srcAge, true),
            logits(d, ps, out, srcAge, true), logits(d, ps, tgt, srcAge, true));
        assertThat((double) loss.getFloat())
            .isCloseTo(io.get("d_loss").toFloatArray()[0], Offset.offset(1e-5));
        gc.backward(loss);
      }
      for (Map.Entry<String, Parameter> e : d.parametersByName().entrySet()) {
        if (e.getKey().contains("running")) {
          continue;
        }
        float[] expected = io.get("grad." + e.getKey()).toFloatArray();
        double scale = Arrays.stream(box(expected)).mapToDouble(Math::abs).max().orElse(1);
        float[] actual = e.getValue().getArray().getGradient().toFloatArray();
        // Relative to the tensor's largest gradient; the biases of convs followed by BatchNorm
        // have a zero gradient in exact arithmetic, hence the small absolute floor.
        assertThat(maxDiff(actual, expected)).as("grad %s (largest %s)", e.getKey(), scale)
            .isLessThan(1e-4 * scale + 1e-7);
      }
      // The generator's view in eval mode: the stored statistics, which the six training-mode
      // forwards above have moved, so from a fresh copy (as the fixture script reloads them).
      CommunityPatchGan fresh = load(weights);
      double adv = Losses.generatorAdversarial(logits(fresh, ps, out, tgtAge, false)).mul(0.05f)
          .getFloat();
      assertThat(adv).isCloseTo(io.get("g_adv").toFloatArray()[0], Offset.offset(1e-6));
      assertThat((double) Losses.l1(out, tgt).getFloat())
          .isCloseTo(io.get("g_l1").toFloatArray()[0], Offset.offset(1e-6));
    }
  }

  @Test
  void anotherSequentialNamingLoadsAndAWrongFileIsNamed() throws Exception {
    StateDict.Builder renamed = StateDict.builder();
    for (String n : weights.names()) {
      renamed.put(n.replace("model.", "main."), weights.get(n));
    }
    CommunityPatchGan d = load(renamed.build());
    assertThat(d.toStateDict().get("model.5.weight").toFloatArray())
        .containsExactly(weights.get("model.5.weight").toFloatArray());
    StateDict generator = Fixtures.communityWeights("community_w8_d2");
    assertThatThrownBy(() -> load(generator)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a community PatchGAN discriminator")
        .hasMessageContaining("down1.layer.1");
  }

  private static NDArray logits(CommunityPatchGan d, ParameterStore ps, NDArray img, NDArray age,
      boolean training) {
    return d.forward(ps, new NDList(img.concat(age, 1)), training).singletonOrThrow();
  }

  private static Float[] box(float[] v) {
    Float[] b = new Float[v.length];
    for (int i = 0; i < v.length; i++) {
      b[i] = v[i];
    }
    return b;
  }
}
