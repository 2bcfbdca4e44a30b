package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.weights.StateDict;
import java.util.List;

/**
 * A FRAN generator as a DJL block, of either {@link UNetFamily}: input (N, 5, H, W), output the
 * (N, 3, H, W) delta, parameters under the family's PyTorch names. Lets the trainer treat {@link
 * UNet} and {@link CommunityUNet} alike. Thread-safety as the implementing block's.
 */
public sealed interface GeneratorBlock extends Block permits UNet, CommunityUNet {
  /**
   * Creates the (uninitialised) generator of a configuration's family.
   *
   * @param config the architecture
   * @return a {@link UNet} or a {@link CommunityUNet}
   */
  static GeneratorBlock create(UNetConfig config) {
    checkNotNull(config, "config");
    return config.family() == UNetFamily.COMMUNITY ? new CommunityUNet(config) : new UNet(config);
  }

  /** {@return the architecture} */
  UNetConfig config();

  /** {@return the trainable parameters (and statistics) keyed by their PyTorch names} */
  ImmutableMap<String, Parameter> parametersByName();

  /**
   * Copies the weights into a state dict with the family's names and the configuration's JSON.
   *
   * @return the weights (float32)
   */
  StateDict toStateDict();

  /**
   * Loads weights saved under the family's names.
   *
   * @param weights the weights
   * @throws ModelFormatException naming every missing, misshaped or unexpected tensor
   */
  void loadStateDict(StateDict weights) throws ModelFormatException;

  /** {@return the names of the output convolution's weight and bias} */
  default List<String> outputLayer() {
    return config().family() == UNetFamily.COMMUNITY
        ? List.of(config().communityLayout().finalConv().weight(),
            config().communityLayout().finalConv().bias())
        : List.of(config().layout().outWeight(), config().layout().outBias());
  }
}
