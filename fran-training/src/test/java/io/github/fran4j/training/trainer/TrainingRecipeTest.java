package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.training.loss.LossWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Recipe settings and the step-based learning-rate schedule, against hand-computed values. */
class TrainingRecipeTest {
  private static final Path DATA = Path.of("data");
  private static final Path RUN = Path.of("run");

  @Test
  void referenceRecipeIsTheBuilderDefaultAndKeepsTheResumeKey() {
    TrainingConfig plain = TrainingConfig.builder(DATA, RUN).build();
    Hyperparameters hPlain = plain.hyperparameters();
    TrainingConfig ref = TrainingConfig.builder(DATA, RUN).optRecipe(TrainingRecipe.REFERENCE)
        .build();
    Hyperparameters hRef = ref.hyperparameters();
    assertThat(hRef.toJson()).isEqualTo(hPlain.toJson());
    // Checkpoints written before the recipe options existed still resume.
    assertThat(hPlain.toJson().keySet()).doesNotContain("lr_schedule", "lr_warmup_steps",
        "adversarial_warmup_steps", "output_init_scale");
    assertThat(hPlain.lrG()).isEqualTo(1e-4);
    assertThat(hPlain.lrD()).isEqualTo(1e-5);
    assertThat(hPlain.lrSchedule()).isEqualTo(LrSchedule.STEP_EPOCHS);
    assertThat(hPlain.adversarialWarmupSteps()).isZero();
    assertThat(hPlain.outputInitScale()).isEqualTo(1.0);
    // StepLR by epoch, whatever the step: x0.9 every 5 epochs.
    assertThat(hPlain.learningRate(1e-4, 12, 99_999, 1)).isCloseTo(1e-4 * 0.81, within(1e-15));
  }

  @Test
  void fastRecipeSettingsAndExplicitOverrides() {
    TrainingConfig fast = TrainingConfig.builder(DATA, RUN).optRecipe(TrainingRecipe.FAST)
        .build();
    Hyperparameters hFast = fast.hyperparameters();
    assertThat(fast.recipe()).isEqualTo(TrainingRecipe.FAST);
    assertThat(hFast.lrG()).isEqualTo(1e-3);
    assertThat(hFast.lrD()).isEqualTo(1e-4);
    assertThat(hFast.lrSchedule()).isEqualTo(LrSchedule.COSINE_STEPS);
    assertThat(hFast.lrWarmupSteps()).isEqualTo(50);
    assertThat(hFast.adversarialWarmupSteps()).isEqualTo(1000);
    assertThat(hFast.outputInitScale()).isZero();
    assertThat(hFast.lossWeights()).isEqualTo(new LossWeights(1, 1, 0.05, 8));
    assertThat(hFast.toJson().get("adversarial_warmup_steps").getAsLong()).isEqualTo(1000);

    TrainingConfig tuned = TrainingConfig.builder(DATA, RUN).optRecipe(TrainingRecipe.FAST)
        .optLrG(3e-4).optAdversarialWarmupSteps(0).build();
    Hyperparameters hTuned = tuned.hyperparameters();
    assertThat(hTuned.lrG()).isEqualTo(3e-4);
    assertThat(hTuned.adversarialWarmupSteps()).isZero();
    assertThat(hTuned.outputInitScale()).isZero();
    assertThat(TrainingConfig.builder(DATA, RUN).optRecipe(TrainingRecipe.FAST).optDetailWeight(2)
        .build().hyperparameters().lossWeights()).isEqualTo(new LossWeights(1, 1, 0.05, 2));
  }

  @Test
  void cosineScheduleInStepsWithLinearWarmUp() {
    TrainingConfig c = TrainingConfig.builder(DATA, RUN)
        .optLrSchedule(LrSchedule.COSINE_STEPS, 0).optLrWarmupSteps(10).build();
    Hyperparameters hC = c.hyperparameters();
    double base = 1e-3;
    // Warm-up: (step + 1) / 10 of the cosine value (cos(0) = 1 at step 0).
    assertThat(hC.learningRate(base, 0, 0, 1000)).isCloseTo(1e-4, within(1e-12));
    assertThat(hC.learningRate(base, 0, 4, 1000))
        .isCloseTo(0.5 * base * (0.05 + 0.95 * 0.5 * (1 + Math.cos(Math.PI * 0.004))),
            within(1e-12));
    // Half way: floor + half the range = 0.525 x base.
    assertThat(hC.learningRate(base, 7, 500, 1000)).isCloseTo(0.525e-3, within(1e-12));
    // At and after the span: the floor, 5 %.
    assertThat(hC.learningRate(base, 20, 1000, 1000)).isCloseTo(0.05e-3, within(1e-12));
    assertThat(hC.learningRate(base, 90, 5000, 1000)).isCloseTo(0.05e-3, within(1e-12));
    // The epoch does not matter.
    assertThat(hC.learningRate(base, 0, 250, 1000)).isEqualTo(hC.learningRate(base, 99, 250, 1000));
  }
}
