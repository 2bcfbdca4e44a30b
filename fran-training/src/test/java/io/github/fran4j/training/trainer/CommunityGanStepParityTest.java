package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.training.loss.LossWeights;
import io.github.fran4j.training.loss.Lpips;
import io.github.fran4j.training.model.CommunityPatchGan;
import io.github.fran4j.training.model.CommunityUNet;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One community fine-tuning step against real PyTorch (fixture by
 * {@code src/test/python/make_community_step_fixture.py}): a width-4 generator and discriminator
 * loaded from plain {@code torch.save} files, two 32x32 pairs in two accumulated micro-batches,
 * L1 + tiny-VGG LPIPS + 0.05 adversarial, the community D loss, then Adam at the community's
 * learning rate. Losses, averaged gradients and the weights (and BatchNorm statistics) after the
 * step must equal PyTorch's within 1e-4.
 */
class CommunityGanStepParityTest {
  private static final double TOLERANCE = 1e-4;

  static Path resource(String name) throws Exception {
    return Path.of(CommunityGanStepParityTest.class.getResource(name).toURI());
  }

  private static NDArray create(NDManager m, Tensor t) {
    return m.create(t.toFloatArray(),
        new Shape(Arrays.stream(t.shape()).mapToLong(i -> i).toArray()));
  }

  private static NDArray agePlane(NDManager m, float[] years, int from, int n, int size) {
    float[] v = Arrays.copyOfRange(years, from, from + n);
    for (int i = 0; i < n; i++) {
      v[i] /= 100f;
    }
    return m.create(v, new Shape(n, 1, 1, 1)).broadcast(new Shape(n, 1, size, size));
  }

  @Test
  void firstStepMatchesPyTorch() throws Exception {
    StateDict gw = WeightFiles.read(resource("/fixtures/community-step/g_w4.pth"));
    StateDict dw = WeightFiles.read(resource("/fixtures/community-step/d_w4.pth"));
    StateDict fx = SafeTensors.read(resource("/fixtures/community-step/step.safetensors"));
    StateDict lpw = SafeTensors.read(resource("/lpips/lpips-tiny-vgg16.safetensors"));
    int accumulate = Math.round(fx.get("accumulate").toFloatArray()[0]);
    double lr = fx.get("lr").toFloatArray()[0];
    assertThat(accumulate).isEqualTo(2);
    assertThat(lr).isCloseTo(CommunityGanStep.LEARNING_RATE, org.assertj.core.data.Offset.offset(1e-12));

    try (NDManager m = NDManager.newBaseManager()) {
      UNetConfig cfg = UNetConfig.fromStateDict(gw);
      CommunityUNet g = new CommunityUNet(cfg);
      g.initialize(m, DataType.FLOAT32, new Shape(1, 5, 32, 32));
      g.loadStateDict(gw);
      CommunityPatchGan d = new CommunityPatchGan(CommunityPatchGan.widthOf(dw));
      d.initialize(m, DataType.FLOAT32, new Shape(1, 4, 32, 32));
      d.loadStateDict(dw);
      Map<String, Parameter> gp = g.parametersByName();
      Map<String, Parameter> dp = d.parametersByName();
      try (Adam optG = new Adam(gp, m); Adam optD = new Adam(dp, m);
          Lpips lpips = Lpips.fromStateDict(lpw, m); NDManager s = m.newSubManager()) {
        CommunityGanStep step = new CommunityGanStep(g, d, optG, optD, lpips,
            LossWeights.DEFAULT, accumulate, new ParameterStore(s, false));
        NDArray source = create(s, fx.get("source"));
        NDArray target = create(s, fx.get("target"));
        float[] sourceAge = fx.get("source_age").toFloatArray();
        float[] targetAge = fx.get("target_age").toFloatArray();
        int per = 2 / accumulate;
        List<String> problems = new ArrayList<>();
        for (int k = 0; k < accumulate; k++) {
          NDArray src = source.get("{}:{}", k * per, (k + 1) * per);
          NDArray tgt = target.get("{}:{}", k * per, (k + 1) * per);
          StepLosses l = step.microBatch(src, tgt,
              agePlane(s, sourceAge, k * per, per, 32), agePlane(s, targetAge, k * per, per, 32));
          check(problems, "loss." + k + ".l1", l.l1(), fx);
          check(problems, "loss." + k + ".lpips", l.lpips(), fx);
          check(problems, "loss." + k + ".adv", l.adv(), fx);
          check(problems, "loss." + k + ".g", l.g(), fx);
          check(problems, "loss." + k + ".d", l.d(), fx);
        }
        int checked = 0;
        for (Map.Entry<String, Parameter> e : gp.entrySet()) {
          checked += compare(problems, "grad.g." + e.getKey(),
              e.getValue().getArray().getGradient().toFloatArray(), fx);
        }
        for (Map.Entry<String, Parameter> e : dp.entrySet()) {
          if (e.getValue().getType() == Parameter.Type.RUNNING_MEAN
              || e.getValue().getType() == Parameter.Type.RUNNING_VAR) {
            continue;
          }
          checked += compare(problems, "grad.d." + e.getKey(),
              e.getValue().getArray().getGradient().toFloatArray(), fx);
        }
        step.apply(lr, lr);
        for (Map.Entry<String, Parameter> e : gp.entrySet()) {
          checked += compare(problems, "after.g." + e.getKey(),
              e.getValue().getArray().toFloatArray(), fx);
        }
        for (Map.Entry<String, Parameter> e : dp.entrySet()) {
          checked += compare(problems, "after.d." + e.getKey(),
              e.getValue().getArray().toFloatArray(), fx);
        }
        assertThat(problems).isEmpty();
        // Every generator and discriminator tensor, gradients and weights after the step.
        assertThat(checked).isEqualTo(2 * gp.size() + 2 * dp.size() - 4);
      }
    }
  }

  private static void check(List<String> problems, String name, double got, StateDict fx) {
    double want = fx.get(name).toFloatArray()[0];
    if (!(Math.abs(got - want) <= TOLERANCE)) {
      problems.add(name + ": " + got + " vs PyTorch " + want);
    }
  }

  private static int compare(List<String> problems, String name, float[] got, StateDict fx) {
    float[] want = fx.get(name).toFloatArray();
    if (want.length != got.length) {
      problems.add(name + ": " + got.length + " values vs PyTorch " + want.length);
      return 1;
    }
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - want[i]));
    }
    if (!(worst <= TOLERANCE)) {
      problems.add(name + ": max |diff| " + worst);
    }
    return 1;
  }
}
