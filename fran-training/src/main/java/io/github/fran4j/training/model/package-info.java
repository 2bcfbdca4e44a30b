/**
 * The FRAN networks as DJL blocks: the {@link io.github.fran4j.training.model.UNet} generator built
 * from a {@link io.github.fran4j.core.model.UNetConfig} and the {@link
 * io.github.fran4j.training.model.PatchGanDiscriminator}, with lossless conversion to and from
 * fran-core {@link io.github.fran4j.core.weights.StateDict}s under the reference's PyTorch names;
 * the community family's {@link io.github.fran4j.training.model.CommunityUNet} and {@link
 * io.github.fran4j.training.model.CommunityPatchGan}; and the {@link
 * io.github.fran4j.training.model.GeneratorBlock} / {@link
 * io.github.fran4j.training.model.DiscriminatorBlock} views the trainer uses for either family.
 *
 * <p>The PyTorch engine lacks a transposed convolution, so the 2x2 stride-2 case is written with
 * matrix products ({@link io.github.fran4j.training.model.TransposedConv2x2}).
 */
package io.github.fran4j.training.model;
