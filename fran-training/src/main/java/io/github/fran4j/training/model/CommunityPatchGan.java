package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The community family's PatchGAN discriminator as a DJL block: input (N, 4, H, W) = an image and
 * one age plane; output (N, 1, H', W') logits.
 *
 * <p>Layers (width w = 64 in the community's model): conv4x4 s2 (4 -&gt; w), LeakyReLU 0.2;
 * conv4x4 s2 (w -&gt; 2w), BatchNorm, LeakyReLU 0.2; conv4x4 s2 (2w -&gt; 4w), BatchNorm,
 * LeakyReLU 0.2; conv4x4 s1 (4w -&gt; 1). Every conv has padding 1 and a bias. {@link
 * #toStateDict()} names them as an {@code nn.Sequential} called {@code model} ({@code model.0},
 * {@code model.2}, BatchNorm {@code model.3}, {@code model.5}, {@code model.6}, {@code model.8});
 * {@link #loadStateDict} maps any sequential naming by order (convs are the rank-4 weights,
 * BatchNorms the modules with {@code running_mean}), so a file from another naming loads too.
 * BatchNorm uses batch statistics when {@code training} is true, as PyTorch's {@code train()}.
 * Not thread-safe for training.
 */
public final class CommunityPatchGan extends AbstractBlock implements DiscriminatorBlock {
  /** The LeakyReLU slope of the discriminator. */
  public static final float LEAKY_SLOPE = 0.2f;
  private static final int[] STRIDES = {2, 2, 2, 1};
  private static final String[] CONV_NAMES = {"model.0", "model.2", "model.5", "model.8"};
  private static final String[] BN_NAMES = {"model.3", "model.6"};

  private final int width;
  private final int[] channels;
  private final List<Conv2d> convs = new ArrayList<>();
  private final List<BatchNorm> norms = new ArrayList<>();
  private final ImmutableMap<String, Parameter> byName;

  /**
   * Creates the discriminator.
   *
   * @param width the first layer's width (64 in the community's model)
   */
  public CommunityPatchGan(int width) {
    checkArgument(width >= 1, "width must be positive, got %s", width);
    this.width = width;
    channels = new int[] {4, width, 2 * width, 4 * width, 1};
    Map<String, Parameter> names = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      Conv2d c = addChildBlock("conv" + i, Conv2d.builder()
          .setKernelShape(new Shape(4, 4))
          .optStride(new Shape(STRIDES[i], STRIDES[i]))
          .optPadding(new Shape(1, 1))
          .setFilters(channels[i + 1])
          .optBias(true)
          .build());
      convs.add(c);
      names.put(CONV_NAMES[i] + ".weight", c.getParameters().get("weight"));
      names.put(CONV_NAMES[i] + ".bias", c.getParameters().get("bias"));
      if (i == 1 || i == 2) {
        BatchNorm bn = addChildBlock("bn" + i, BatchNorm.builder()
            .optEpsilon(1e-5f)
            .optMomentum(0.9f) // DJL weights the old value: 0.9 == PyTorch's momentum 0.1
            .build());
        norms.add(bn);
        String p = BN_NAMES[i - 1];
        names.put(p + ".weight", bn.getParameters().get("gamma"));
        names.put(p + ".bias", bn.getParameters().get("beta"));
        names.put(p + ".running_mean", bn.getParameters().get("runningMean"));
        names.put(p + ".running_var", bn.getParameters().get("runningVar"));
      }
    }
    byName = ImmutableMap.copyOf(names);
  }

  /**
   * Returns the width a community discriminator state dict was saved at: the output channels of
   * its first rank-4 weight.
   *
   * @param weights the state dict
   * @return the width
   * @throws ModelFormatException if it holds no rank-4 weight
   */
  public static int widthOf(StateDict weights) throws ModelFormatException {
    for (String n : weights.names()) {
      Tensor t = weights.get(n);
      if (n.endsWith(".weight") && t.rank() == 4) {
        return t.dim(0);
      }
    }
    throw new ModelFormatException("not a discriminator state dict: no 4-d conv weight among "
        + weights.names());
  }

  @Override
  public io.github.fran4j.core.model.UNetFamily family() {
    return io.github.fran4j.core.model.UNetFamily.COMMUNITY;
  }

  /** {@return the first layer's width} */
  public int width() {
    return width;
  }

  /** {@return the parameters and BatchNorm statistics keyed by {@link #toStateDict()}'s names} */
  public ImmutableMap<String, Parameter> parametersByName() {
    return byName;
  }

  /**
   * Copies the weights into a state dict ({@code num_batches_tracked} is not kept).
   *
   * @return float32 tensors named {@code model.<i>.*}
   */
  public StateDict toStateDict() {
    StateDict.Builder b = StateDict.builder();
    byName.forEach((n, p) -> b.put(n, NamedParameters.read(n, p)));
    return b.build();
  }

  /**
   * Loads a community discriminator's weights, mapping its modules by order: four convs (rank-4
   * {@code weight} and a {@code bias}) with BatchNorms ({@code running_mean}) after the second and
   * third.
   *
   * @param weights e.g. the community's {@code best_discriminator_model.pth}
   * @throws ModelFormatException naming the module or tensor that does not fit (missing,
   *     misshaped or unexpected)
   */
  public void loadStateDict(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    Set<String> modules = new LinkedHashSet<>();
    for (String n : weights.names()) {
      int dot = n.lastIndexOf('.');
      if (dot > 0) {
        modules.add(n.substring(0, dot));
      }
    }
    List<String> convModules = new ArrayList<>();
    List<String> bnModules = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (String m : modules) {
      if (weights.contains(m + ".running_mean")) {
        bnModules.add(m);
      } else if (weights.find(m + ".weight").map(t -> t.rank() == 4).orElse(false)) {
        convModules.add(m);
      } else {
        other.add(m);
      }
    }
    if (convModules.size() != 4 || bnModules.size() != 2 || !other.isEmpty()) {
      throw new ModelFormatException("not a community PatchGAN discriminator: expected 4 convs and "
          + "2 BatchNorms, found convs " + convModules + ", BatchNorms " + bnModules
          + (other.isEmpty() ? "" : ", other modules " + other));
    }
    Map<String, String> rename = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      rename.put(CONV_NAMES[i] + ".weight", convModules.get(i) + ".weight");
      rename.put(CONV_NAMES[i] + ".bias", convModules.get(i) + ".bias");
    }
    for (int i = 0; i < 2; i++) {
      for (String f : List.of("weight", "bias", "running_mean", "running_var")) {
        rename.put(BN_NAMES[i] + "." + f, bnModules.get(i) + "." + f);
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String n : weights.names()) {
      if (!rename.containsValue(n) && !n.endsWith(".num_batches_tracked")) {
        unexpected.add(n);
      }
    }
    if (!unexpected.isEmpty()) {
      throw new ModelFormatException("discriminator weights hold unexpected tensors " + unexpected);
    }
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      String source = rename.get(e.getKey());
      Tensor t = weights.find(source).orElseThrow(
          () -> new ModelFormatException("discriminator weights lack " + source));
      NamedParameters.write(source, e.getValue(), t.toDType(DType.F32));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    checkArgument(x.getShape().dimension() == 4 && x.getShape().get(1) == 4,
        "discriminator expects (N, 4, H, W), got %s", x.getShape());
    for (int i = 0; i < 4; i++) {
      x = convs.get(i).forward(ps, new NDList(x), training, params).singletonOrThrow();
      if (i == 1 || i == 2) {
        x = norms.get(i - 1).forward(ps, new NDList(x), training, params).singletonOrThrow();
      }
      if (i < 3) {
        x = Activation.leakyRelu(x, LEAKY_SLOPE);
      }
    }
    return new NDList(x);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    long h = s.get(2);
    long w = s.get(3);
    for (int stride : STRIDES) {
      h = (h + 2 - 4) / stride + 1;
      w = (w + 2 - 4) / stride + 1;
    }
    return new Shape[] {new Shape(s.get(0), 1, h, w)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (int i = 0; i < 4; i++) {
      convs.get(i).initialize(manager, dataType, new Shape(1, channels[i], 8, 8));
    }
    norms.get(0).initialize(manager, dataType, new Shape(1, channels[2], 4, 4));
    norms.get(1).initialize(manager, dataType, new Shape(1, channels[3], 4, 4));
  }
}
