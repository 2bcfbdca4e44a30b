package io.github.fran4j.training.trainer;

/**
 * How the learning rates change over a run (see
 * {@link Hyperparameters#learningRate(double, long, long, long)}).
 */
public enum LrSchedule {
  /** The reference's StepLR: x gamma every few epochs, whatever an epoch's length. */
  STEP_EPOCHS,
  /**
   * A half cosine in steps from the base rate to 5% of it, independent of the epoch length
   * (so short demo epochs do not shrink the rate).
   */
  COSINE_STEPS
}
