package io.github.fran4j.training.trainer;

import io.github.fran4j.training.data.PairBatch;

/**
 * What the trainer's loop calls for each batch: the reference family's {@link TrainingStep} (one G
 * and one D update per batch) or the community family's step, which accumulates the gradients of
 * {@link Hyperparameters#accumulate()} batches per update ({@link CommunityGanStep}). Runs on the
 * training thread only; not thread-safe.
 */
public interface GanStep {
  /**
   * Trains on one batch.
   *
   * @param pb the batch
   * @param globalStep the batches trained before this one
   * @param lrG the generator's learning rate
   * @param lrD the discriminator's learning rate
   * @return the batch's losses
   * @throws IllegalStateException if a loss is NaN or infinite
   */
  StepLosses run(PairBatch pb, long globalStep, double lrG, double lrD);

  /**
   * Applies gradients accumulated from batches that did not complete an accumulation window (at
   * the end of an epoch, or before a checkpoint), so that a checkpoint never misses them. A no-op
   * when nothing is pending.
   *
   * @param lrG the generator's learning rate
   * @param lrD the discriminator's learning rate
   */
  default void flush(double lrG, double lrD) {}
}
