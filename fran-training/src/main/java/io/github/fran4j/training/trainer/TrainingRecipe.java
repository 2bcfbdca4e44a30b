package io.github.fran4j.training.trainer;

import io.github.fran4j.training.loss.LossWeights;

/**
 * Named bundles of training settings. {@link #REFERENCE} is the reference implementation's (the
 * builder's defaults); {@link #FAST} is measured to learn the synthetic aging task within a few
 * thousand small steps (see docs/training.md, "The fast recipe"). Explicit {@code opt*} calls
 * after {@link TrainingConfig.Builder#optRecipe} (or {@link Hyperparameters.Builder#optRecipe})
 * override a recipe's values.
 */
public enum TrainingRecipe {
  /** The reference's settings: Adam 1e-4 / 1e-5, StepLR by epoch, adversarial from step 0. */
  REFERENCE {
    @Override
    void apply(Hyperparameters.Builder b) {
      b.optLrG(1e-4).optLrD(1e-5).optLrSchedule(5, 0.9)
          .optLrSchedule(LrSchedule.STEP_EPOCHS, 0).optLrWarmupSteps(0)
          .optAdversarialWarmupSteps(0).optOutputInitScale(1.0)
          .optLossWeights(LossWeights.DEFAULT);
    }
  },
  /**
   * Learns fast: the generator starts at "no change" (zero output layer), trains on L1 (and LPIPS)
   * alone for its first steps, then adds the adversarial term; a higher generator rate with a
   * short warm-up and a cosine decay over the run's steps; a detail term (the L1 of the
   * high-pass-filtered error) so that one-pixel structure such as wrinkle lines is drawn early.
   */
  FAST {
    @Override
    void apply(Hyperparameters.Builder b) {
      b.optLrG(FAST_LR_G).optLrD(FAST_LR_D).optLrSchedule(LrSchedule.COSINE_STEPS, 0)
          .optLrWarmupSteps(FAST_LR_WARMUP).optAdversarialWarmupSteps(FAST_ADV_WARMUP)
          .optOutputInitScale(0.0)
          .optLossWeights(LossWeights.DEFAULT.withDetail(FAST_DETAIL_WEIGHT));
    }
  };

  static final double FAST_LR_G = 1e-3;
  static final double FAST_LR_D = 1e-4;
  static final long FAST_LR_WARMUP = 50;
  static final long FAST_ADV_WARMUP = 1_000;
  /** The fast recipe's weight of {@link io.github.fran4j.training.loss.Losses#detail}. */
  public static final double FAST_DETAIL_WEIGHT = 8;

  abstract void apply(Hyperparameters.Builder b);
}
