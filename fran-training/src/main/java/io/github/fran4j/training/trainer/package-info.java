/**
 * The GAN trainer: {@link io.github.fran4j.training.trainer.GanTrainer} runs FRAN's alternating
 * generator / discriminator steps over DJL's PyTorch engine with the reference's Adam settings and
 * StepLR schedule, validates every epoch against the identity baseline, and keeps a run directory
 * with atomic checkpoints (exact resume), {@code metrics.csv}, PNG charts and sample grids. It
 * fine-tunes pretrained weights of either U-Net family ({@link
 * io.github.fran4j.training.trainer.InitWeights}); the community family's step, with gradient
 * accumulation, is {@link io.github.fran4j.training.trainer.CommunityGanStep}.
 */
package io.github.fran4j.training.trainer;
