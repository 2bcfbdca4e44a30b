package io.github.fran4j.core.model;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * The community U-Net's ({@link UNetFamily#COMMUNITY}) module structure and PyTorch parameter
 * names for a {@link UNetConfig}: the single source of naming for every backend of that family.
 *
 * <p>Structure, with base width w and LeakyReLU(0.01) after every 3x3 conv (all convs have a
 * bias, there is no BatchNorm):
 * <ul>
 *   <li>{@code init_conv}: conv3x3(in, w), conv3x3(w, w) ({@code init_conv.0}, {@code init_conv.2});
 *   <li>{@code down<i>.layer} with input width c: MaxPool(2, stride 1), BlurPool(c, stride 2)
 *       ({@code .1.filt}), conv3x3(c, 2c) ({@code .2}), conv3x3(2c, 2c) ({@code .4});
 *   <li>{@code up<i>} with input width c: {@code blur_upsample} = ConvTranspose2d(c, c/2, 2,
 *       stride 2) ({@code .0}) then BlurPool(c/2, stride 1) ({@code .1.filt}); then {@code layer} =
 *       conv3x3(c, c/2) ({@code .0}), conv3x3(c/2, c/2) ({@code .2}) on cat([up-sampled, skip]);
 *   <li>{@code final_conv}: conv1x1(w, out).
 * </ul>
 * A BlurPool reflection-pads by 1 (left, top) and 2 (right, bottom) and applies its stored
 * depthwise 4x4 filter {@code filt} ({@code [C, 1, 4, 4]}) at its stride. Thread-safe (immutable).
 */
public final class CommunityUNetLayout implements WeightLayout {
  /** The slope of every LeakyReLU (PyTorch's default). */
  public static final float LEAKY_SLOPE = 0.01f;
  /** The BlurPool filter's side. */
  public static final int BLUR_SIZE = 4;
  /** The BlurPool's reflection padding before the filter (left and top). */
  public static final int BLUR_PAD_BEFORE = 1;
  /** The BlurPool's reflection padding after the filter (right and bottom). */
  public static final int BLUR_PAD_AFTER = 2;

  private final UNetConfig config;

  CommunityUNetLayout(UNetConfig config) {
    this.config = config;
  }

  /**
   * A convolution with bias.
   *
   * @param prefix the module name, e.g. {@code down1.layer.2}
   * @param in input channels
   * @param out output channels
   * @param kernel 3, 1, or 2 for the transposed convolution
   * @param transposed whether the weight is a ConvTranspose2d's {@code (in, out, k, k)}
   */
  public record Conv(String prefix, int in, int out, int kernel, boolean transposed) {
    /** {@return the weight's name} */
    public String weight() {
      return prefix + ".weight";
    }

    /** {@return the bias's name} */
    public String bias() {
      return prefix + ".bias";
    }

    /** {@return the weight's shape: {@code (out, in, k, k)}, or {@code (in, out, k, k)} if transposed} */
    public int[] weightShape() {
      return transposed ? new int[] {in, out, kernel, kernel} : new int[] {out, in, kernel, kernel};
    }
  }

  /**
   * A BlurPool's stored filter.
   *
   * @param name the buffer's name, e.g. {@code down1.layer.1.filt}
   * @param channels the number of channels it filters (one 4x4 filter each)
   * @param stride 2 when down-sampling, 1 after up-sampling
   */
  public record Blur(String name, int channels, int stride) {}

  @Override
  public UNetConfig config() {
    return config;
  }

  /**
   * Returns one of the two input convolutions.
   *
   * @param k 0 or 1
   * @return {@code init_conv.0} (in -> w) or {@code init_conv.2} (w -> w)
   */
  public Conv initConv(int k) {
    int w = config.baseWidth();
    return k == 0
        ? new Conv("init_conv.0", config.inChannels(), w, 3, false)
        : new Conv("init_conv.2", w, w, 3, false);
  }

  /**
   * Returns the input width of encoder step {@code i}.
   *
   * @param i 1..depth
   * @return {@code w * 2^(i-1)}
   */
  public int downInput(int i) {
    checkLevel(i);
    return config.baseWidth() << (i - 1);
  }

  /**
   * Returns encoder step {@code i}'s BlurPool (stride 2).
   *
   * @param i 1..depth
   * @return {@code down<i>.layer.1.filt}
   */
  public Blur downBlur(int i) {
    return new Blur("down" + i + ".layer.1.filt", downInput(i), 2);
  }

  /**
   * Returns one of encoder step {@code i}'s convolutions.
   *
   * @param i 1..depth
   * @param k 0 ({@code .layer.2}, c -> 2c) or 1 ({@code .layer.4}, 2c -> 2c)
   * @return the convolution
   */
  public Conv downConv(int i, int k) {
    int c = downInput(i);
    return k == 0
        ? new Conv("down" + i + ".layer.2", c, 2 * c, 3, false)
        : new Conv("down" + i + ".layer.4", 2 * c, 2 * c, 3, false);
  }

  /**
   * Returns the width entering decoder step {@code i} from below.
   *
   * @param i 1..depth
   * @return {@code w * 2^(depth-i+1)}
   */
  public int upInput(int i) {
    checkLevel(i);
    return config.baseWidth() << (config.depth() - i + 1);
  }

  /**
   * Returns decoder step {@code i}'s transposed convolution (c -> c/2, kernel 2, stride 2).
   *
   * @param i 1..depth
   * @return {@code up<i>.blur_upsample.0}
   */
  public Conv upTransposed(int i) {
    int c = upInput(i);
    return new Conv("up" + i + ".blur_upsample.0", c, c / 2, 2, true);
  }

  /**
   * Returns decoder step {@code i}'s BlurPool (stride 1).
   *
   * @param i 1..depth
   * @return {@code up<i>.blur_upsample.1.filt}
   */
  public Blur upBlur(int i) {
    return new Blur("up" + i + ".blur_upsample.1.filt", upInput(i) / 2, 1);
  }

  /**
   * Returns one of decoder step {@code i}'s convolutions.
   *
   * @param i 1..depth
   * @param k 0 ({@code .layer.0}, c -> c/2 on [up, skip]) or 1 ({@code .layer.2}, c/2 -> c/2)
   * @return the convolution
   */
  public Conv upConv(int i, int k) {
    int c = upInput(i);
    return k == 0
        ? new Conv("up" + i + ".layer.0", c, c / 2, 3, false)
        : new Conv("up" + i + ".layer.2", c / 2, c / 2, 3, false);
  }

  /** {@return the output convolution {@code final_conv} (w -> out, 1x1)} */
  public Conv finalConv() {
    return new Conv("final_conv", config.baseWidth(), config.outChannels(), 1, false);
  }

  @Override
  public ImmutableList<UNetLayout.Parameter> parameters() {
    List<UNetLayout.Parameter> p = new ArrayList<>();
    add(p, initConv(0));
    add(p, initConv(1));
    for (int i = 1; i <= config.depth(); i++) {
      add(p, downBlur(i));
      add(p, downConv(i, 0));
      add(p, downConv(i, 1));
    }
    for (int i = 1; i <= config.depth(); i++) {
      add(p, upTransposed(i));
      add(p, upBlur(i));
      add(p, upConv(i, 0));
      add(p, upConv(i, 1));
    }
    add(p, finalConv());
    return ImmutableList.copyOf(p);
  }

  /** Returns true for the BlurPool filters ({@code .filt}). */
  @Override
  public boolean isBuffer(String name) {
    return name.endsWith(".filt");
  }

  private static void add(List<UNetLayout.Parameter> p, Conv c) {
    p.add(new UNetLayout.Parameter(c.weight(), c.weightShape(), DType.F32));
    p.add(new UNetLayout.Parameter(c.bias(), new int[] {c.out()}, DType.F32));
  }

  private static void add(List<UNetLayout.Parameter> p, Blur b) {
    p.add(new UNetLayout.Parameter(
        b.name(), new int[] {b.channels(), 1, BLUR_SIZE, BLUR_SIZE}, DType.F32));
  }

  private void checkLevel(int i) {
    if (i < 1 || i > config.depth()) {
      throw new IllegalArgumentException("level " + i + " outside 1.." + config.depth());
    }
  }
}
