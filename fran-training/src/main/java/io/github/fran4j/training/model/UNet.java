package io.github.fran4j.training.model;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FRAN generator as a DJL block, built from a {@link UNetConfig}: input (N, 5, H, W) = RGB in
 * [0, 1], input-age plane, target-age plane; output (N, 3, H, W), the RGB delta. H and W need not
 * be multiples of {@link UNetConfig#sizeMultiple()}: as in the reference, up-sampled maps are
 * zero-padded to their skip's size; they must be at least {@link #minimumSize()}.
 *
 * <p>The structure follows {@link UNetLayout} exactly (transposed or bilinear up-sampling, optional
 * blur-pool as documented on {@link UNetConfig#blurPool()}), and {@link #toStateDict()} / {@link
 * #loadStateDict(StateDict)} convert losslessly to and from the reference's PyTorch names,
 * BatchNorm running statistics and {@code num_batches_tracked} included.
 *
 * <p>BatchNorm uses batch statistics and updates its running statistics when {@code forward} is
 * called with {@code training = true}, and the running statistics otherwise, as PyTorch's
 * {@code train()} / {@code eval()}. Call {@link #initialize} (any spatial size) before use.
 * Not thread-safe for training; concurrent eval-mode forwards are fine.
 */
public final class UNet extends AbstractBlock implements GeneratorBlock {
  private final UNetConfig config;
  private final UNetLayout layout;
  private final DoubleConvBlock inc;
  private final List<DoubleConvBlock> downs = new ArrayList<>();
  private final List<TransposedConv2x2> ups = new ArrayList<>();
  private final List<DoubleConvBlock> upConvs = new ArrayList<>();
  private final Conv2d outc;
  private final ImmutableMap<String, Parameter> byName;
  private long batchesTracked;

  /**
   * Creates the (uninitialised) network.
   *
   * @param config the architecture
   */
  public UNet(UNetConfig config) {
    this.config = checkNotNull(config, "config");
    this.layout = config.layout();
    Map<String, Parameter> names = new LinkedHashMap<>();
    inc = addChildBlock("inc", new DoubleConvBlock(layout.inc()));
    inc.collectNames(names);
    for (int i = 1; i <= config.depth(); i++) {
      DoubleConvBlock d = addChildBlock("down" + i, new DoubleConvBlock(layout.down(i)));
      d.collectNames(names);
      downs.add(d);
    }
    for (int i = 1; i <= config.depth(); i++) {
      if (config.upsampling() == Upsampling.TRANSPOSED) {
        int c = layout.upInput(i);
        TransposedConv2x2 t = addChildBlock("up" + i + "_up", new TransposedConv2x2(c, c / 2));
        names.put(layout.upTransposed(i) + ".weight", t.weight());
        names.put(layout.upTransposed(i) + ".bias", t.bias());
        ups.add(t);
      }
      DoubleConvBlock u = addChildBlock("up" + i + "_conv", new DoubleConvBlock(layout.upConv(i)));
      u.collectNames(names);
      upConvs.add(u);
    }
    outc =
        addChildBlock(
            "outc",
            Conv2d.builder()
                .setKernelShape(new Shape(1, 1))
                .setFilters(config.outChannels())
                .optBias(true)
                .build());
    names.put(layout.outWeight(), outc.getParameters().get("weight"));
    names.put(layout.outBias(), outc.getParameters().get("bias"));
    byName = ImmutableMap.copyOf(names);
  }

  /** {@return the architecture} */
  public UNetConfig config() {
    return config;
  }

  /**
   * {@return the block's parameters and BatchNorm running statistics keyed by their PyTorch names,
   * in {@code state_dict()} order ({@code num_batches_tracked} has no DJL parameter and is absent)}
   */
  public ImmutableMap<String, Parameter> parametersByName() {
    return byName;
  }

  /** {@return how many training-mode forward passes the BatchNorm layers have seen} */
  public long batchesTracked() {
    return batchesTracked;
  }

  /**
   * Copies the current weights into a state dict with the reference's names and shapes, in
   * PyTorch's order, with this configuration's JSON under {@link UNetConfig#METADATA_KEY}.
   *
   * @return the weights (float32; {@code num_batches_tracked} as int64 scalars)
   * @throws IllegalStateException if the block is not initialised
   */
  public StateDict toStateDict() {
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : layout.parameters()) {
      if (p.dtype() == DType.I64) {
        b.put(p.name(), Tensor.ofLongs(new long[] {batchesTracked}));
      } else {
        b.put(p.name(), NamedParameters.read(p.name(), byName.get(p.name())));
      }
    }
    b.putMetadata(UNetConfig.METADATA_KEY, config.toJson());
    return b.build();
  }

  /**
   * Loads weights from a state dict with the reference's names (as written by PyTorch or by {@link
   * #toStateDict()}). Load before creating optimizer state for the block.
   *
   * @param weights the weights; extra metadata is ignored, the tensors must match this block's
   *     configuration exactly
   * @throws ModelFormatException listing missing, misshaped or unexpected tensors
   * @throws IllegalStateException if the block is not initialised
   */
  public void loadStateDict(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    layout.check(weights);
    for (Map.Entry<String, Parameter> e : byName.entrySet()) {
      NamedParameters.write(e.getKey(), e.getValue(), weights.get(e.getKey()).toDType(DType.F32));
    }
    String tracked = layout.inc().name(1, "num_batches_tracked");
    batchesTracked = weights.find(tracked).map(t -> t.toLongArray()[0]).orElse(0L);
  }

  @Override
  protected NDList forwardInternal(
      ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow();
    Shape s = x.getShape();
    int min = minimumSize();
    checkArgument(
        s.dimension() == 4 && s.get(1) == config.inChannels() && s.get(2) >= min && s.get(3) >= min,
        "UNet expects input (N, %s, H, W) with H and W at least %s, got %s",
        config.inChannels(),
        min,
        s);
    List<NDArray> skips = new ArrayList<>();
    NDArray h = inc.forward(ps, new NDList(x), training, params).singletonOrThrow();
    for (DoubleConvBlock d : downs) {
      skips.add(h);
      h = d.forward(ps, new NDList(downsample(h)), training, params).singletonOrThrow();
    }
    for (int i = 0; i < config.depth(); i++) {
      NDArray up;
      if (config.upsampling() == Upsampling.TRANSPOSED) {
        up = ups.get(i).forward(ps, new NDList(h), training, params).singletonOrThrow();
      } else {
        up = Ops.upsampleBilinear2x(h);
      }
      if (config.blurPool()) {
        up = Ops.blur(up, 1);
      }
      NDArray skip = skips.get(config.depth() - 1 - i);
      up = padTo(up, skip.getShape().get(2), skip.getShape().get(3));
      h = upConvs.get(i).forward(ps, new NDList(skip.concat(up, 1)), training, params)
          .singletonOrThrow();
    }
    if (training) {
      batchesTracked++;
    }
    return outc.forward(ps, new NDList(h), training, params);
  }

  /**
   * {@return the smallest input height and width accepted: 2^depth, and with blur-pool 2^depth +
   * 2^(depth - 1) so that every max-pooled map has the 2 pixels reflect padding needs}
   */
  public int minimumSize() {
    int d = config.depth();
    return config.blurPool() ? (1 << d) + (1 << (d - 1)) : 1 << d;
  }

  /**
   * Zero-pads an up-sampled map to its skip's size like the reference's
   * {@code F.pad(x, [dx / 2, dx - dx / 2, dy / 2, dy - dy / 2])}; a no-op for sizes that are
   * multiples of 2^depth.
   */
  private static NDArray padTo(NDArray up, long h, long w) {
    Shape s = up.getShape();
    long dy = h - s.get(2);
    long dx = w - s.get(3);
    if (dx > 0) {
      up = zeroPad(up, 3, dx / 2, dx - dx / 2);
    }
    if (dy > 0) {
      up = zeroPad(up, 2, dy / 2, dy - dy / 2);
    }
    return up;
  }

  private static NDArray zeroPad(NDArray x, int axis, long before, long after) {
    NDArray out = x;
    long[] dims = x.getShape().getShape();
    if (before > 0) {
      dims[axis] = before;
      out = x.getManager().zeros(new Shape(dims)).concat(out, axis);
    }
    if (after > 0) {
      dims[axis] = after;
      out = out.concat(x.getManager().zeros(new Shape(dims)), axis);
    }
    return out;
  }

  private NDArray downsample(NDArray h) {
    if (config.blurPool()) {
      NDArray m = Pool.maxPool2d(h, new Shape(2, 2), new Shape(1, 1), new Shape(0, 0), false);
      return Ops.blur(m, 2);
    }
    return Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    Shape s = inputShapes[0];
    return new Shape[] {new Shape(s.get(0), config.outChannels(), s.get(2), s.get(3))};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    inc.initialize(manager, dataType, new Shape(1, layout.inc().in(), 4, 4));
    for (int i = 1; i <= config.depth(); i++) {
      downs.get(i - 1).initialize(manager, dataType, new Shape(1, layout.down(i).in(), 4, 4));
    }
    for (int i = 1; i <= config.depth(); i++) {
      if (config.upsampling() == Upsampling.TRANSPOSED) {
        ups.get(i - 1).initialize(manager, dataType, new Shape(1, layout.upInput(i), 4, 4));
      }
      upConvs.get(i - 1).initialize(manager, dataType, new Shape(1, layout.upConv(i).in(), 4, 4));
    }
    outc.initialize(manager, dataType, new Shape(1, config.baseWidth(), 4, 4));
  }
}
