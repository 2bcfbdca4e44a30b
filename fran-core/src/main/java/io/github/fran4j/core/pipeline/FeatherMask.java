package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * The weight with which a crop's delta is added to the frame, as a function of the position in
 * the crop's unit square: 1 in the middle, falling smoothly (smoothstep) to 0 over {@code feather}
 * of the side at every edge, and exactly 0 on and outside the crop's border, so that pixels
 * outside the crop are never touched. Immutable and thread-safe.
 */
public final class FeatherMask {
  private final double feather;

  /**
   * Creates a mask.
   *
   * @param feather the width of the fall-off as a fraction of the crop side, in [0, 0.5]; 0 gives
   *     weight 1 everywhere inside the crop (a hard edge)
   */
  public FeatherMask(double feather) {
    checkArgument(feather >= 0 && feather <= 0.5, "feather must be in [0, 0.5], got %s", feather);
    this.feather = feather;
  }

  /** {@return the fall-off width as a fraction of the crop side} */
  public double feather() {
    return feather;
  }

  /**
   * Returns the weight at a position of the crop's unit square.
   *
   * @param u horizontal position, 0 at the left edge and 1 at the right
   * @param v vertical position
   * @return a weight in [0, 1]; 0 when the position is on or outside the border
   */
  public double weight(double u, double v) {
    return ramp(u) * ramp(v);
  }

  private double ramp(double t) {
    if (feather == 0) {
      return t > 0 && t < 1 ? 1 : 0;
    }
    double d = Math.min(t, 1 - t) / feather;
    if (d <= 0) {
      return 0;
    }
    if (d >= 1) {
      return 1;
    }
    return d * d * (3 - 2 * d);
  }

  @Override
  public String toString() {
    return "FeatherMask{feather=" + feather + "}";
  }
}
