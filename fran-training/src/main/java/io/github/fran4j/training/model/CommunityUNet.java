package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.CommunityUNetLayout;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The community U-Net family ({@link UNetFamily#COMMUNITY}) as a DJL block, named and shaped by
 * {@link CommunityUNetLayout}: 3x3 convs with bias and LeakyReLU(0.01), MaxPool(2, stride 1) then
 * BlurPool (stride 2) down, ConvTranspose(2, stride 2) then BlurPool (stride 1) up, concat [up,
 * skip], a 1x1 output conv. The BlurPool filters ({@code filt}) are buffers: loaded from the
 * state dict, written back by {@link #toStateDict()}, never trained. No BatchNorm, so training and
 * eval forwards are the same function. H and W must be multiples of {@link
 * UNetConfig#sizeMultiple()} and at least {@link UNetConfig#minimumSize()}.
 *
 * <p>Call {@link #initialize} before use. Not thread-safe for training; concurrent forwards are
 * fine.
 */
public final class CommunityUNet extends AbstractBlock implements GeneratorBlock {
  private final UNetConfig config;
  private final CommunityUNetLayout layout;
  private final List<Conv2d> convs = new ArrayList<>(); // state_dict order, transposed excluded
  private final List<CommunityUNetLayout.Conv> convSpecs = new ArrayList<>();
  private final List<TransposedConv2x2> ups = new ArrayList<>();
  private final Map<String, float[]> filters = new LinkedHashMap<>();
  private final ImmutableMap<String, Parameter> byName;

  /**
   * Creates the (uninitialised) network; its BlurPool filters start as the standard
   * [1 3 3 1] x [1 3 3 1] / 64 until {@link #loadStateDict} replaces them.
   *
   * @param config a community configuration
   * @throws IllegalArgumentException if {@code config} is not of the community family
   */
  public CommunityUNet(UNetConfig config) {
    this.config = checkNotNull(config, "config");
    checkArgument(config.family() == UNetFamily.COMMUNITY,
        "CommunityUNet needs a community configuration, got the %s family", config.family().id());
    this.layout = config.communityLayout();
    Map<String, Parameter> names = new LinkedHashMap<>();
    for (UNetLayout.Parameter p : layout.parameters()) {
      if (p.name().endsWith(".filt")) {
        filters.put(p.name(), standardFilter(p.shape()[0]));
      }
    }
    addConv(names, layout.initConv(0));
    addConv(names, layout.initConv(1));
    for (int i = 1; i <= config.depth(); i++) {
      addConv(names, layout.downConv(i, 0));
      addConv(names, layout.downConv(i, 1));
    }
    for (int i = 1; i <= config.depth(); i++) {
      CommunityUNetLayout.Conv t = layout.upTransposed(i);
      TransposedConv2x2 up = addChildBlock("up" + i + "_t", new TransposedConv2x2(t.in(), t.out()));
      names.put(t.weight(), up.weight());
      names.put(t.bias(), up.bias());
      ups.add(up);
      addConv(names, layout.upConv(i, 0));
      addConv(names, layout.upConv(i, 1));
    }
    addConv(names, layout.finalConv());
    // Keyed in the layout's (state_dict) order.
    Map<String, Parameter> ordered = new LinkedHashMap<>();
    for (UNetLayout.Parameter p : layout.parameters()) {
      if (names.containsKey(p.name())) {
        ordered.put(p.name(), names.get(p.name()));
      }
    }
    byName = ImmutableMap.copyOf(ordered);
  }

  private void addConv(Map<String, Parameter> names, CommunityUNetLayout.Conv spec) {
    Conv2d c = addChildBlock(spec.prefix().replace('.', '_'), Conv2d.builder()
        .setKernelShape(new Shape(spec.kernel(), spec.kernel()))
        .optPadding(spec.kernel() == 3 ? new Shape(1, 1) : new Shape(0, 0))
        .setFilters(spec.out())
        .optBias(true)
        .build());
    names.put(spec.weight(), c.getParameters().get("weight"));
    names.put(spec.bias(), c.getParameters().get("bias"));
    convs.add(c);
    convSpecs.add(spec);
  }

  private static float[] standardFilter(int channels) {
    float[] a = {1, 3, 3, 1};
    float[] f = new float[channels * 16];
    for (int i = 0; i < f.length; i++) {
      f[i] = a[(i / 4) % 4] * a[i % 4] / 64f;
    }
    return f;
  }

  /** {@return the architecture} */
  public UNetConfig config() {
    return config;
  }

  /** {@return the trainable parameters keyed by their PyTorch names, in state_dict order} */
  public ImmutableMap<String, Parameter> parametersByName() {
    return byName;
  }

  /**
   * Copies the weights and filters into a state dict with the community's names, in PyTorch's
   * order, with the configuration's JSON under {@link UNetConfig#METADATA_KEY}.
   *
   * @return the weights (float32)
   * @throws IllegalStateException if the block is not initialised
   */
  public StateDict toStateDict() {
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : layout.parameters()) {
      float[] f = filters.get(p.name());
      b.put(p.name(), f != null ? Tensor.ofFloats(f.clone(), p.shape())
          : NamedParameters.read(p.name(), byName.get(p.name())));
    }
    b.putMetadata(UNetConfig.METADATA_KEY, config.toJson());
    return b.build();
  }

  /**
   * Loads weights and BlurPool filters from a community state dict (e.g. the community's
   * {@code best_unet_model.pth}). Load before creating optimizer state for the block.
   *
   * @param weights the weights
   * @throws ModelFormatException listing missing, misshaped or unexpected tensors
   * @throws IllegalStateException if the block is not initialised
   */
  public void loadStateDict(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    layout.check(weights);
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      NamedParameters.write(e.getKey(), e.getValue(), weights.get(e.getKey()).toDType(DType.F32));
    }
    for (Map.Entry<String, float[]> e : filters.entrySet()) {
      e.setValue(weights.get(e.getKey()).toDType(DType.F32).toFloatArray());
    }
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    int m = config.sizeMultiple();
    checkArgument(
        s.dimension() == 4 && s.get(1) == config.inChannels() && s.get(2) % m == 0
            && s.get(3) % m == 0 && s.get(2) >= config.minimumSize()
            && s.get(3) >= config.minimumSize(),
        "CommunityUNet expects input (N, %s, H, W) with H and W multiples of %s and at least %s, "
            + "got %s", config.inChannels(), m, config.minimumSize(), s);
    int c = 0;
    NDArray h = conv(ps, c++, x, training, params);
    h = conv(ps, c++, h, training, params);
    List<NDArray> skips = new ArrayList<>();
    for (int i = 1; i <= config.depth(); i++) {
      skips.add(h);
      NDArray p = Pool.maxPool2d(h, new Shape(2, 2), new Shape(1, 1), new Shape(0, 0), false);
      p = blurPool(p, layout.downBlur(i));
      h = conv(ps, c++, p, training, params);
      h = conv(ps, c++, h, training, params);
    }
    for (int i = 1; i <= config.depth(); i++) {
      NDArray u = ups.get(i - 1).forward(ps, new NDList(h), training, params).singletonOrThrow();
      u = blurPool(u, layout.upBlur(i));
      NDArray cat = u.concat(skips.get(config.depth() - i), 1);
      h = conv(ps, c++, cat, training, params);
      h = conv(ps, c++, h, training, params);
    }
    return convs.get(c).forward(ps, new NDList(h), training, params);
  }

  /** A 3x3 conv with bias, then LeakyReLU. */
  private NDArray conv(ParameterStore ps, int index, NDArray x, boolean training,
      PairList<String, Object> params) {
    NDArray y = convs.get(index).forward(ps, new NDList(x), training, params).singletonOrThrow();
    return Activation.leakyRelu(y, CommunityUNetLayout.LEAKY_SLOPE);
  }

  /** Reflection padding (1 before, 2 after) and the depthwise stored filter at the stride. */
  private NDArray blurPool(NDArray x, CommunityUNetLayout.Blur b) {
    NDArray padded = reflectPad12(x);
    int k = CommunityUNetLayout.BLUR_SIZE;
    NDManager m = x.getManager();
    NDArray weight = NativeArrays.create(m, filters.get(b.name()),
        new Shape(b.channels(), 1, k, k));
    return Conv2d.conv2d(padded, weight, m.zeros(new Shape(b.channels())),
            new Shape(b.stride(), b.stride()), new Shape(0, 0), new Shape(1, 1), b.channels())
        .singletonOrThrow();
  }

  /**
   * PyTorch's {@code ReflectionPad2d((1, 2, 1, 2))}: index -1 reads 1, index n reads n - 2 and
   * n + 1 reads n - 3.
   */
  static NDArray reflectPad12(NDArray x) {
    long h = x.getShape().get(2);
    long w = x.getShape().get(3);
    NDArray wide = x.get(new NDIndex(":, :, :, 1:2"))
        .concat(x, 3)
        .concat(x.get(new NDIndex(":, :, :, {}:{}", w - 2, w - 1)), 3)
        .concat(x.get(new NDIndex(":, :, :, {}:{}", w - 3, w - 2)), 3);
    return wide.get(new NDIndex(":, :, 1:2, :"))
        .concat(wide, 2)
        .concat(wide.get(new NDIndex(":, :, {}:{}, :", h - 2, h - 1)), 2)
        .concat(wide.get(new NDIndex(":, :, {}:{}, :", h - 3, h - 2)), 2);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), config.outChannels(), s.get(2), s.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    for (int i = 0; i < convs.size(); i++) {
      convs.get(i).initialize(manager, dataType, new Shape(1, convSpecs.get(i).in(), 4, 4));
    }
    for (int i = 1; i <= config.depth(); i++) {
      ups.get(i - 1).initialize(manager, dataType,
          new Shape(1, layout.upTransposed(i).in(), 4, 4));
    }
  }
}
