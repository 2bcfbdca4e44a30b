package io.github.fran4j.core.model;

import java.util.Arrays;
import java.util.Locale;

/**
 * The U-Net families whose PyTorch weights the SDK reads, runs, exports and fine-tunes. A family
 * fixes the module structure and the parameter names; {@link UNetConfig} fixes the sizes within
 * it.
 *
 * <p>Thread-safe (an enum).
 */
public enum UNetFamily {
  /**
   * The reference project's U-Net: DoubleConv blocks of [conv3x3 without bias, BatchNorm, ReLU] x 2,
   * max-pool down-sampling, transposed or bilinear up-sampling, concat [skip, up]. Names such as
   * {@code inc.double_conv.0.weight}; see {@link UNetLayout}.
   */
  REFERENCE,
  /**
   * The community's open re-implementation ("face_reaging", MIT): convs with bias and LeakyReLU
   * 0.01, no BatchNorm, MaxPool(2, stride 1) + BlurPool down-sampling, ConvTranspose + BlurPool
   * up-sampling, concat [up, skip]. Names such as {@code init_conv.0.weight}; see
   * {@link CommunityUNetLayout}.
   */
  COMMUNITY;

  /** {@return the lower-case name used in JSON, on the command line and in messages} */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@link #id()} (case-insensitive).
   *
   * @param id e.g. {@code community}
   * @return the family
   * @throws IllegalArgumentException naming the valid choices if {@code id} is none of them
   */
  public static UNetFamily fromId(String id) {
    for (UNetFamily f : values()) {
      if (f.id().equalsIgnoreCase(String.valueOf(id).trim())) {
        return f;
      }
    }
    throw new IllegalArgumentException("unknown U-Net family '" + id + "', expected one of "
        + Arrays.stream(values()).map(UNetFamily::id).toList());
  }
}
