package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonObject;
import io.github.fran4j.core.weights.StateDict;

/**
 * Everything needed to continue a run exactly: the position (the next epoch and batch to run and
 * the global step count), generator and discriminator weights (BatchNorm statistics included),
 * both Adam states, the StepLR state and the settings that produced them. The data order and
 * every random draw are pure functions of (seed, epoch, batch), so no RNG state needs storing.
 * Immutable.
 *
 * @param epoch the 0-based epoch to continue in
 * @param batch the next batch index within that epoch
 * @param globalStep the number of training steps taken so far
 * @param generator generator weights with PyTorch names and the UNetConfig metadata
 * @param discriminator discriminator weights
 * @param optimizerG the generator's Adam state
 * @param optimizerD the discriminator's Adam state
 * @param resumeKey {@link Hyperparameters#toJson()} of the run that wrote it
 */
public record Checkpoint(
    long epoch,
    int batch,
    long globalStep,
    StateDict generator,
    StateDict discriminator,
    StateDict optimizerG,
    StateDict optimizerD,
    JsonObject resumeKey) {
  /**
   * Checks for nulls.
   *
   * @param epoch the 0-based epoch to continue in
   * @param batch the next batch index within that epoch
   * @param globalStep the number of training steps taken so far
   * @param generator generator weights with PyTorch names and the UNetConfig metadata
   * @param discriminator discriminator weights
   * @param optimizerG the generator's Adam state
   * @param optimizerD the discriminator's Adam state
   * @param resumeKey {@link Hyperparameters#toJson()} of the run that wrote it
   */
  public Checkpoint {
    checkNotNull(generator, "generator");
    checkNotNull(discriminator, "discriminator");
    checkNotNull(optimizerG, "optimizerG");
    checkNotNull(optimizerD, "optimizerD");
    checkNotNull(resumeKey, "resumeKey");
  }
}
