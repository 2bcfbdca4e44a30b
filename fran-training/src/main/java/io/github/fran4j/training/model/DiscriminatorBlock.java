package io.github.fran4j.training.model;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.weights.StateDict;

/**
 * A FRAN PatchGAN discriminator as a DJL block, of either family: input (N, 4, H, W) = an image and
 * an age plane, output (N, 1, H', W') logits. Lets the trainer treat {@link PatchGanDiscriminator}
 * and {@link CommunityPatchGan} alike. Not thread-safe for training.
 */
public sealed interface DiscriminatorBlock extends Block
    permits PatchGanDiscriminator, CommunityPatchGan {
  /**
   * Creates the (uninitialised) discriminator a family trains with.
   *
   * @param family the generator's family
   * @param width the first layer's width
   * @param blurPool for the reference family, whether stride-2 convs are anti-aliased (the
   *     community's has no such option)
   * @return a {@link PatchGanDiscriminator} (4 input channels) or a {@link CommunityPatchGan}
   */
  static DiscriminatorBlock create(UNetFamily family, int width, boolean blurPool) {
    return family == UNetFamily.COMMUNITY
        ? new CommunityPatchGan(width) : new PatchGanDiscriminator(4, width, blurPool);
  }

  /** {@return the family whose generator this discriminator is trained with} */
  UNetFamily family();

  /** {@return the first layer's width} */
  int width();

  /** {@return the parameters (and BatchNorm statistics) keyed by their state dict names} */
  ImmutableMap<String, Parameter> parametersByName();

  /**
   * Copies the weights into a state dict.
   *
   * @return float32 tensors
   */
  StateDict toStateDict();

  /**
   * Loads weights.
   *
   * @param weights the weights
   * @throws ModelFormatException naming a missing, misshaped or unexpected tensor
   */
  void loadStateDict(StateDict weights) throws ModelFormatException;
}
