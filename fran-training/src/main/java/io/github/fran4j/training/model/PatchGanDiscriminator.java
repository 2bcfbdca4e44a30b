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
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reference's PatchGAN discriminator as a DJL block: input (N, 4, H, W) = an image and an age
 * plane; output (N, 1, H', W') logits, 30x30 at 256x256.
 *
 * <p>Layers (width w = 64 in the reference): Conv4x4 s2 p1 (4 -&gt; w) ReLU, (w -&gt; 2w) s2 ReLU,
 * (2w -&gt; 4w) s2 ReLU, (4w -&gt; 8w) s1 p1 ReLU, (8w -&gt; 1) s1 p1; every conv has a bias.
 * Parameters are named {@code model.0}, {@code model.2}, {@code model.4}, {@code model.6},
 * {@code model.8} (as an {@code nn.Sequential} with ReLUs in between). With blur-pool, each
 * stride-2 conv runs at stride 1 and is followed by ReLU and a stride-2 blur (Zhang 2019), which
 * gives the same output size for even inputs. Not thread-safe for training.
 */
public final class PatchGanDiscriminator extends AbstractBlock
    implements DiscriminatorBlock {
  private static final int[] STRIDES = {2, 2, 2, 1, 1};

  private final int inChannels;
  private final int width;
  private final boolean blurPool;
  private final List<Conv2d> convs = new ArrayList<>();
  private final int[] channels;
  private final ImmutableMap<String, Parameter> byName;

  /**
   * Creates the reference discriminator (4 input channels, width 64, no blur-pool).
   *
   * @return the uninitialised block
   */
  public static PatchGanDiscriminator reference() {
    return new PatchGanDiscriminator(4, 64, false);
  }

  /**
   * Creates a discriminator.
   *
   * @param inChannels input channels (4: RGB + age plane)
   * @param width the first layer's width (64 in the reference); later layers use 2, 4, 8 times it
   * @param blurPool whether stride-2 convs are anti-aliased with the blur-pool filter
   */
  public PatchGanDiscriminator(int inChannels, int width, boolean blurPool) {
    checkArgument(inChannels >= 1, "inChannels must be positive, got %s", inChannels);
    checkArgument(width >= 1, "width must be positive, got %s", width);
    this.inChannels = inChannels;
    this.width = width;
    this.blurPool = blurPool;
    channels = new int[] {inChannels, width, width * 2, width * 4, width * 8, 1};
    Map<String, Parameter> names = new LinkedHashMap<>();
    for (int i = 0; i < 5; i++) {
      int stride = blurPool ? 1 : STRIDES[i];
      Conv2d c =
          addChildBlock(
              "conv" + i,
              Conv2d.builder()
                  .setKernelShape(new Shape(4, 4))
                  .optStride(new Shape(stride, stride))
                  .optPadding(new Shape(1, 1))
                  .setFilters(channels[i + 1])
                  .optBias(true)
                  .build());
      convs.add(c);
      names.put("model." + (2 * i) + ".weight", c.getParameters().get("weight"));
      names.put("model." + (2 * i) + ".bias", c.getParameters().get("bias"));
    }
    byName = ImmutableMap.copyOf(names);
  }

  @Override
  public io.github.fran4j.core.model.UNetFamily family() {
    return io.github.fran4j.core.model.UNetFamily.REFERENCE;
  }

  /** {@return the first layer's width} */
  public int width() {
    return width;
  }

  /** {@return whether stride-2 layers are blur-pooled} */
  public boolean blurPool() {
    return blurPool;
  }

  /** {@return the parameters keyed by name ({@code model.<i>.weight|bias})} */
  public ImmutableMap<String, Parameter> parametersByName() {
    return byName;
  }

  /**
   * Copies the weights into a state dict.
   *
   * @return float32 tensors named {@code model.<i>.weight|bias}
   */
  public StateDict toStateDict() {
    StateDict.Builder b = StateDict.builder();
    byName.forEach((n, p) -> b.put(n, NamedParameters.read(n, p)));
    b.putMetadata("fran.discriminator", "{\"in_channels\":" + inChannels + ",\"width\":" + width
        + ",\"blur_pool\":" + blurPool + "}");
    return b.build();
  }

  /**
   * Loads weights written by {@link #toStateDict()}.
   *
   * @param weights the weights
   * @throws ModelFormatException if a tensor is missing, misshaped or unexpected (named)
   */
  public void loadStateDict(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    List<String> unexpected = new ArrayList<>(weights.names());
    unexpected.removeAll(byName.keySet());
    if (!unexpected.isEmpty()) {
      throw new ModelFormatException("discriminator weights hold unexpected tensors " + unexpected
          + " (a " + width + "-wide reference PatchGAN has " + byName.keySet() + ")");
    }
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      if (!weights.contains(e.getKey())) {
        throw new ModelFormatException(
            "discriminator weights lack " + e.getKey() + " (have " + weights.names() + ")");
      }
      NamedParameters.write(e.getKey(), e.getValue(), weights.get(e.getKey()).toDType(DType.F32));
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    checkArgument(
        x.getShape().dimension() == 4 && x.getShape().get(1) == inChannels,
        "discriminator expects (N, %s, H, W), got %s",
        inChannels,
        x.getShape());
    for (int i = 0; i < 5; i++) {
      x = convs.get(i).forward(ps, new NDList(x), training, params).singletonOrThrow();
      if (i < 4) {
        x = Activation.relu(x);
        if (blurPool && STRIDES[i] == 2) {
          x = Ops.blur(x, 2);
        }
      }
    }
    return new NDList(x);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    long h = s.get(2);
    long w = s.get(3);
    for (int i = 0; i < 5; i++) {
      h = (h + 2 - 4) / STRIDES[i] + 1;
      w = (w + 2 - 4) / STRIDES[i] + 1;
    }
    return new Shape[] {new Shape(s.get(0), 1, h, w)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (int i = 0; i < 5; i++) {
      convs.get(i).initialize(manager, dataType, new Shape(1, channels[i], 8, 8));
    }
  }
}
