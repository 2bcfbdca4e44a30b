/**
 * The GAN trainer. {@link io.github.fran4j.training.trainer.GanTrainer} runs the epoch and step
 * loop over DJL's PyTorch engine: a {@link io.github.fran4j.training.trainer.TrainingStep} (FRAN's
 * alternating generator / discriminator update with the reference's Adam settings) per batch and a
 * {@link io.github.fran4j.training.trainer.Validation} against the identity baseline per epoch,
 * with atomic checkpoints (exact resume, and one written before any error stops a run). The run
 * directory's files ({@code run.json}, {@code losses.csv}, {@code metrics.csv}, PNG charts, sample
 * grids) and the progress bar are {@link io.github.fran4j.training.trainer.TrainingListener}s.
 * {@link io.github.fran4j.training.trainer.TrainingConfig} pairs the
 * {@link io.github.fran4j.training.trainer.Hyperparameters} (the resume key) with the
 * {@link io.github.fran4j.training.trainer.RunOptions}. The trainer fine-tunes pretrained weights
 * of either U-Net family ({@link io.github.fran4j.training.trainer.InitWeights}); the community
 * family's step, with gradient accumulation, is {@link
 * io.github.fran4j.training.trainer.CommunityGanStep}.
 */
package io.github.fran4j.training.trainer;
