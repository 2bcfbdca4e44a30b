package io.github.fran4j.core.model;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.tensor.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The reference U-Net's module structure and PyTorch parameter names for a {@link UNetConfig}:
 * the single source of naming for the pure-Java generator, the DJL model, the exporter and every
 * weight check.
 *
 * <p>Structure: {@code inc} DoubleConv, {@code down1..downD} (MaxPool2 then DoubleConv),
 * {@code up1..upD} (up-sample, pad to the skip, concat [skip, up], DoubleConv), {@code outc} 1x1
 * conv with bias. Thread-safe (immutable).
 */
public final class UNetLayout implements WeightLayout {
  /** BatchNorm epsilon used by the reference (PyTorch's default). */
  public static final float BATCH_NORM_EPS = 1e-5f;

  private final UNetConfig config;

  UNetLayout(UNetConfig config) {
    this.config = config;
  }

  /** Returns the configuration this layout describes. */
  @Override
  public UNetConfig config() {
    return config;
  }

  /**
   * A DoubleConv block: [Conv3x3 (no bias) -> BatchNorm -> ReLU] x 2.
   *
   * @param prefix the parameter name prefix, e.g. {@code down1.maxpool_conv.1}
   * @param in input channels
   * @param mid channels after the first conv
   * @param out output channels
   */
  public record DoubleConv(String prefix, int in, int mid, int out) {
    /**
     * Returns the name of one of the block's parameters.
     *
     * @param index 0 (first conv), 1 (first BatchNorm), 3 (second conv) or 4 (second BatchNorm)
     * @param field {@code weight}, {@code bias}, {@code running_mean}, {@code running_var} or
     *     {@code num_batches_tracked}
     * @return e.g. {@code inc.double_conv.1.running_mean}
     */
    public String name(int index, String field) {
      return prefix + ".double_conv." + index + "." + field;
    }
  }

  /**
   * A parameter or buffer of the network as PyTorch names it.
   *
   * @param name the state dict key
   * @param shape the shape
   * @param dtype F32, or I64 for {@code num_batches_tracked}
   */
  public record Parameter(String name, int[] shape, DType dtype) {
    /** Returns the name and shape. */
    @Override
    public String toString() {
      return name + Arrays.toString(shape);
    }
  }

  /** {@return the input block} */
  public DoubleConv inc() {
    return new DoubleConv("inc", config.inChannels(), config.baseWidth(), config.baseWidth());
  }

  /**
   * Returns an encoder block.
   *
   * @param i 1..depth
   * @return {@code down<i>}'s DoubleConv (after its max-pool)
   */
  public DoubleConv down(int i) {
    checkLevel(i);
    int in = config.encoderWidth(i - 1);
    int out = config.encoderWidth(i);
    return new DoubleConv("down" + i + ".maxpool_conv.1", in, out, out);
  }

  /**
   * Returns the number of channels entering decoder step {@code i} from below (before up-sampling).
   *
   * @param i 1..depth
   * @return the channel count
   */
  public int upInput(int i) {
    checkLevel(i);
    return i == 1 ? config.encoderWidth(config.depth()) : upConv(i - 1).out();
  }

  /**
   * Returns the number of channels of the skip connection that decoder step {@code i} concatenates.
   *
   * @param i 1..depth
   * @return the skip's channel count
   */
  public int skip(int i) {
    checkLevel(i);
    return config.encoderWidth(config.depth() - i);
  }

  /**
   * Returns the name prefix of decoder step {@code i}'s transposed convolution ({@code up<i>.up}),
   * whose weight has shape {@code (upInput, upInput / 2, 2, 2)} and whose bias has
   * {@code upInput / 2} elements. Only meaningful for {@link Upsampling#TRANSPOSED}.
   *
   * @param i 1..depth
   * @return the prefix
   */
  public String upTransposed(int i) {
    checkLevel(i);
    return "up" + i + ".up";
  }

  /**
   * Returns decoder step {@code i}'s DoubleConv, applied to the concatenation [skip, up-sampled].
   *
   * @param i 1..depth
   * @return the block
   */
  public DoubleConv upConv(int i) {
    checkLevel(i);
    int skip = skip(i);
    String prefix = "up" + i + ".conv";
    if (config.upsampling() == Upsampling.TRANSPOSED) {
      int in = 2 * skip;
      return new DoubleConv(prefix, in, skip, skip);
    }
    int in = 2 * skip;
    int out = i == config.depth() ? config.baseWidth() : skip / 2;
    return new DoubleConv(prefix, in, in / 2, out);
  }

  /** {@return the output conv's weight name ({@code outc.conv.weight}, shape (out, base, 1, 1))} */
  public String outWeight() {
    return "outc.conv.weight";
  }

  /** {@return the output conv's bias name ({@code outc.conv.bias})} */
  public String outBias() {
    return "outc.conv.bias";
  }

  /** Returns every parameter and buffer in PyTorch's {@code state_dict()} order. */
  @Override
  public ImmutableList<Parameter> parameters() {
    List<Parameter> p = new ArrayList<>();
    addDoubleConv(p, inc());
    for (int i = 1; i <= config.depth(); i++) {
      addDoubleConv(p, down(i));
    }
    for (int i = 1; i <= config.depth(); i++) {
      if (config.upsampling() == Upsampling.TRANSPOSED) {
        int c = upInput(i);
        p.add(f32(upTransposed(i) + ".weight", c, c / 2, 2, 2));
        p.add(f32(upTransposed(i) + ".bias", c / 2));
      }
      addDoubleConv(p, upConv(i));
    }
    p.add(f32(outWeight(), config.outChannels(), config.baseWidth(), 1, 1));
    p.add(f32(outBias(), config.outChannels()));
    return ImmutableList.copyOf(p);
  }

  /** Returns true for BatchNorm running statistics and {@code num_batches_tracked}. */
  @Override
  public boolean isBuffer(String name) {
    return name.endsWith("running_mean")
        || name.endsWith("running_var")
        || name.endsWith("num_batches_tracked");
  }

  /** Returns true for {@code num_batches_tracked} buffers, which some exporters drop. */
  @Override
  public boolean isOptional(String name) {
    return name.endsWith("num_batches_tracked");
  }

  private static void addDoubleConv(List<Parameter> p, DoubleConv b) {
    p.add(f32(b.name(0, "weight"), b.mid(), b.in(), 3, 3));
    addBatchNorm(p, b, 1, b.mid());
    p.add(f32(b.name(3, "weight"), b.out(), b.mid(), 3, 3));
    addBatchNorm(p, b, 4, b.out());
  }

  private static void addBatchNorm(List<Parameter> p, DoubleConv b, int index, int channels) {
    p.add(f32(b.name(index, "weight"), channels));
    p.add(f32(b.name(index, "bias"), channels));
    p.add(f32(b.name(index, "running_mean"), channels));
    p.add(f32(b.name(index, "running_var"), channels));
    p.add(new Parameter(b.name(index, "num_batches_tracked"), new int[0], DType.I64));
  }

  private static Parameter f32(String name, int... shape) {
    return new Parameter(name, shape, DType.F32);
  }

  private void checkLevel(int i) {
    if (i < 1 || i > config.depth()) {
      throw new IllegalArgumentException("level " + i + " outside 1.." + config.depth());
    }
  }
}
