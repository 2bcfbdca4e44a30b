package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.nn.Parameter;
import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.training.data.PairBatch;
import io.github.fran4j.training.data.PairSpec;
import io.github.fran4j.training.model.CommunityPatchGan;
import io.github.fran4j.training.model.CommunityUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning through the trainer: {@code GanTrainer} started from the community step fixture's
 * {@code torch.save} generator and discriminator, with LPIPS and two accumulated batches, takes the
 * same first update as PyTorch (fixture by {@code src/test/python/make_community_step_fixture.py});
 * a run starts from the files and refuses files that do not fit its settings.
 */
class FineTuneTest {
  @TempDir static Path shared;
  private static Path train;
  private static Path gFile;
  private static Path dFile;
  private static Path lpips;
  @TempDir Path tmp;

  @BeforeAll
  static void data() throws Exception {
    train = TinyDatasets.write(shared.resolve("train"), 2, new int[] {20, 50}, 32, 3);
    gFile = CommunityGanStepParityTest.resource("/fixtures/community-step/g_w4.pth");
    dFile = CommunityGanStepParityTest.resource("/fixtures/community-step/d_w4.pth");
    lpips = CommunityGanStepParityTest.resource("/lpips/lpips-tiny-vgg16.safetensors");
  }

  private TrainingConfig.Builder fineTune(Path run, int accumulate) throws IOException {
    UNetConfig file = UNetConfig.fromStateDict(WeightFiles.read(gFile));
    return TrainingConfig.builder(train, run)
        .optUNet(file.toBuilder().optTrainingResolution(32).build())
        .optDiscriminatorWidth(4)
        .optIdentitiesPerBatch(1)
        .optBatchesPerEpoch(4)
        .optEpochs(1)
        .optLrG(CommunityGanStep.LEARNING_RATE)
        .optLrD(CommunityGanStep.LEARNING_RATE)
        .optAccumulate(accumulate)
        .optInitGenerator(gFile)
        .optInitDiscriminator(dFile)
        .optWorkers(1)
        .optSampleCount(0)
        .optProgressBar(false);
  }

  @Test
  void firstUpdateOfATrainerStartedFromTorchSaveFilesEqualsPyTorch() throws Exception {
    StateDict fx = SafeTensors.read(
        CommunityGanStepParityTest.resource("/fixtures/community-step/step.safetensors"));
    TrainingConfig cfg = fineTune(tmp.resolve("run"), 2).optLpipsWeights(lpips).build();
    try (GanTrainer t = GanTrainer.create(cfg, false)) {
      assertThat(t.generator()).isInstanceOf(CommunityUNet.class);
      assertThat(t.discriminator()).isInstanceOf(CommunityPatchGan.class);
      StateDict start = t.generator().toStateDict();
      StateDict file = WeightFiles.read(gFile);
      for (String n : file.names()) {
        assertThat(start.get(n).toFloatArray()).as(n).isEqualTo(file.get(n).toFloatArray());
      }
      float[] src = fx.get("source").toFloatArray();
      float[] tgt = fx.get("target").toFloatArray();
      float[] srcAge = fx.get("source_age").toFloatArray();
      float[] tgtAge = fx.get("target_age").toFloatArray();
      int len = src.length / 2;
      for (int k = 0; k < 2; k++) {
        PairBatch pb = new PairBatch(0, k, 32, ImmutableList.of(new PairSpec(k, 0, 1, 0)),
            Arrays.copyOfRange(src, k * len, (k + 1) * len),
            Arrays.copyOfRange(tgt, k * len, (k + 1) * len),
            new float[] {srcAge[k]}, new float[] {tgtAge[k]});
        StepLosses l = t.trainingStep().run(pb, k, CommunityGanStep.LEARNING_RATE,
            CommunityGanStep.LEARNING_RATE);
        assertThat(l.g()).isCloseTo(fx.get("loss." + k + ".g").toFloatArray()[0],
            org.assertj.core.data.Offset.offset(1e-4));
        assertThat(l.d()).isCloseTo(fx.get("loss." + k + ".d").toFloatArray()[0],
            org.assertj.core.data.Offset.offset(1e-4));
        if (k == 0) {
          // The first batch only accumulates: no update yet.
          assertThat(t.generator().toStateDict().get("final_conv.bias").toFloatArray())
              .isEqualTo(file.get("final_conv.bias").toFloatArray());
        }
      }
      List<String> problems = new ArrayList<>();
      compare(problems, "after.g.", t.generator().parametersByName(), fx);
      compare(problems, "after.d.", t.discriminator().parametersByName(), fx);
      assertThat(problems).isEmpty();
    }
  }

  private static void compare(List<String> problems, String prefix, Map<String, Parameter> params,
      StateDict fx) {
    for (Map.Entry<String, Parameter> e : params.entrySet()) {
      float[] want = fx.get(prefix + e.getKey()).toFloatArray();
      float[] got = e.getValue().getArray().toFloatArray();
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(want[i] - got[i]));
      }
      if (!(worst <= 1e-4)) {
        problems.add(prefix + e.getKey() + ": max |diff| " + worst);
      }
    }
  }

  @Test
  void aFineTuningRunTrainsAndWritesACommunityModel() throws Exception {
    Path run = tmp.resolve("run");
    GanTrainer.Result r;
    try (GanTrainer t = GanTrainer.create(
        fineTune(run, 2).optBatchesPerEpoch(2).optValidationBatches(1).build(), false)) {
      r = t.fit();
    }
    assertThat(r.outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    assertThat(r.metrics().get(0).trainD()).isFinite();
    StateDict model = SafeTensors.read(run.resolve("model.safetensors"));
    assertThat(UNetConfig.fromStateDict(model).family()).isEqualTo(UNetFamily.COMMUNITY);
    Tensor before = WeightFiles.read(gFile).get("init_conv.0.weight");
    assertThat(model.get("init_conv.0.weight").toFloatArray())
        .isNotEqualTo(before.toFloatArray());
  }

  @Test
  void refusesFilesThatDoNotFitTheRun() throws Exception {
    // A width the file does not have.
    TrainingConfig wide = fineTune(tmp.resolve("a"), 1)
        .optUNet(UNetConfig.builder().optFamily(UNetFamily.COMMUNITY).optBaseWidth(8).optDepth(3)
            .optTrainingResolution(32).build())
        .build();
    assertThatThrownBy(() -> GanTrainer.create(wide, false))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-generator " + gFile);
    // A discriminator width the file does not have.
    TrainingConfig dWide = fineTune(tmp.resolve("b"), 1).optDiscriminatorWidth(8).build();
    assertThatThrownBy(() -> GanTrainer.create(dWide, false))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-discriminator " + dFile)
        .hasMessageContaining("width 4");
    // Accumulation is the community family's.
    assertThatThrownBy(() -> TrainingConfig.builder(train, tmp.resolve("c")).optAccumulate(3)
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("community family only");
  }
}
