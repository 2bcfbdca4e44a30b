package io.github.fran4j.training.trainer;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Observes a {@link GanTrainer} run, as DJL's {@code TrainingListener} observes its trainer. The
 * run directory's files (progress bar, {@code metrics.csv}, {@code losses.csv}, charts, sample
 * grids, {@code run.json}, the log) are written by listeners of this kind that the trainer
 * registers itself; {@link GanTrainer#addListener} adds more. Every method has an empty default.
 *
 * <p>Callbacks run on the training thread, in registration order. An exception thrown by a
 * callback stops the run like any other training error (a checkpoint is written first).
 */
public interface TrainingListener {
  /**
   * One finished training step.
   *
   * @param epoch the 0-based epoch
   * @param batch the batches of this epoch done so far (1 after its first)
   * @param batchesPerEpoch the epoch's length in batches
   * @param globalStep the steps taken so far, resumed ones included (1 after the first)
   * @param lrG the generator's learning rate of the step
   * @param lrD the discriminator's learning rate of the step
   * @param losses the losses the step returned
   */
  record StepEvent(long epoch, int batch, int batchesPerEpoch, long globalStep, double lrG,
      double lrD, StepLosses losses) {}

  /**
   * One epoch's validation.
   *
   * @param metrics the epoch's row
   * @param history every epoch's row so far, resumed ones included, this one last
   * @param samples the sample grid (input | target | prediction), if sample grids are on
   */
  record ValidationEvent(EpochMetrics metrics, List<EpochMetrics> history,
      Optional<BufferedImage> samples) {}

  /**
   * Called once before the first step, after a resume has restored the position.
   *
   * @param trainer the trainer (its position, settings, datasets and run directory)
   * @throws IOException if the listener cannot write its files
   */
  default void onTrainingBegin(GanTrainer trainer) throws IOException {}

  /**
   * Called when an epoch's training part starts (or restarts mid-epoch after a resume).
   *
   * @param epoch the 0-based epoch
   * @param firstBatch the batch it starts at (0 unless resumed mid-epoch)
   * @param batchesPerEpoch the epoch's length in batches
   */
  default void onEpochBegin(long epoch, int firstBatch, int batchesPerEpoch) {}

  /**
   * Called after every training step.
   *
   * @param e the step
   * @throws IOException if the listener cannot write its files
   */
  default void onStep(StepEvent e) throws IOException {}

  /**
   * Called when an epoch's training part ends, before validation; also when the run stops or
   * fails inside the epoch.
   *
   * @param epoch the 0-based epoch
   */
  default void onEpochEnd(long epoch) {}

  /**
   * Called after every epoch's validation, before its checkpoint.
   *
   * @param e the epoch's numbers
   * @throws IOException if the listener cannot write its files
   */
  default void onValidation(ValidationEvent e) throws IOException {}

  /**
   * Called after a checkpoint was written.
   *
   * @param dir the checkpoint folder
   * @param globalStep the steps it holds
   */
  default void onCheckpoint(Path dir, long globalStep) {}

  /**
   * Called once when {@link GanTrainer#fit()} returns normally.
   *
   * @param result how it ended
   */
  default void onTrainingEnd(GanTrainer.Result result) {}

  /**
   * Called once when {@link GanTrainer#fit()} fails, after the error checkpoint was attempted.
   *
   * @param error the error {@code fit()} is about to throw
   * @param checkpoint the newest checkpoint to resume from, if any
   */
  default void onTrainingFailed(Exception error, Optional<Path> checkpoint) {}
}
