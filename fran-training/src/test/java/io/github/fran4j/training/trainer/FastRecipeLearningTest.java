package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast recipe at a tiny size, on fixed step counts and seeds (never timers): it starts at "no
 * change", leaves the discriminator untouched during its L1 warm-up and stays near the identity
 * baseline on held-out identities where the reference recipe after the same steps is far worse.
 */
class FastRecipeLearningTest {
  @TempDir static Path shared;
  static Path train;
  static Path val;

  @TempDir Path tmp;

  @BeforeAll
  static void data() throws IOException {
    train = TinyDatasets.write(shared.resolve("train"), 6, new int[] {20, 50, 80}, 32, 1);
    val = TinyDatasets.write(shared.resolve("val"), 2, new int[] {20, 50, 80}, 32, 2);
  }

  private static TrainingConfig.Builder tiny(Path run, TrainingRecipe recipe) {
    return TrainingConfig.builder(train, run)
        .optRecipe(recipe)
        .optValDir(val)
        .optUNet(UNetConfig.builder().optBaseWidth(4).optDepth(3).optTrainingResolution(32).build())
        .optDiscriminatorWidth(4)
        .optIdentitiesPerBatch(2)
        .optBatchesPerEpoch(12)
        .optEpochs(STEPS / 12)
        .optSeed(42)
        .optWorkers(1)
        .optKeepCheckpoints(1)
        .optSampleCount(0)
        .optProgressBar(false);
  }

  private static final int STEPS = 36;

  @Test
  void fastRecipeStartsAtNoChangeAndBeatsTheReferenceOnHeldOutIdentities() throws IOException {
    TrainingConfig fast = tiny(tmp.resolve("fast"), TrainingRecipe.FAST).optLrWarmupSteps(4)
        .build();
    List<EpochMetrics> f;
    try (GanTrainer t = GanTrainer.create(fast, false)) {
      String out = fast.hyperparameters().unet().layout().outWeight();
      assertThat(t.generator().parametersByName().get(out).getArray().abs().max().getFloat())
          .isZero();
      StateDict d0 = t.discriminator().toStateDict();
      GanTrainer.Result r = t.fit();
      assertThat(r.globalStep()).isEqualTo(STEPS);
      // Still inside the adversarial warm-up: D neither trained nor reported.
      assertThat(t.discriminator().toStateDict().tensors()).isEqualTo(d0.tensors());
      f = r.metrics();
    }
    assertThat(f).allSatisfy(m -> {
      assertThat(m.trainD()).isNaN();
      assertThat(m.trainAdv()).isNaN();
    });
    // Reference recipe with the same data, seed and steps, at the demo's former rate.
    TrainingConfig ref = tiny(tmp.resolve("ref"), TrainingRecipe.REFERENCE).optLrG(5e-4).build();
    List<EpochMetrics> r;
    try (GanTrainer t = GanTrainer.create(ref, false)) {
      r = t.fit().metrics();
    }
    EpochMetrics fl = f.get(f.size() - 1);
    EpochMetrics rl = r.get(r.size() - 1);
    // Measured (docs/training.md, "Experiments"): after 36 steps the reference recipe's random
    // initial delta leaves it far worse than doing nothing (change captured -165%), while the
    // fast recipe stays at the baseline (-1%) with its change already pointing the right way
    // (delta correlation 0.34). The bounds leave wide margins.
    assertThat(fl.changeCaptured()).as("fast %s vs reference %s", fl, rl)
        .isGreaterThan(-0.1)
        .isGreaterThan(rl.changeCaptured() + 0.5);
    assertThat(fl.deltaCorrelation()).as("fast %s", fl).isGreaterThan(0.1);
  }
}
