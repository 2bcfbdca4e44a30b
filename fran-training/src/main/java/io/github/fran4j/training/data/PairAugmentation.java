package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;

/**
 * The reference's paired augmentation: ONE random draw per pair ({@link #draw(long)}) applied to
 * both the input and the target image ({@link #apply}), so that A and B stay aligned and the model
 * only sees the age difference change between them.
 *
 * <p>Steps, in this order, on an image of any size:
 *
 * <ol>
 *   <li><b>Resize</b> to the training size ({@link Images#resizeSquare}: centre crop to a square,
 *       progressive bilinear down-scaling).
 *   <li><b>Horizontal flip</b> (optional, off by default; probability 1/2 when on).
 *   <li><b>Rotation</b> by {@code theta} degrees (uniform in [-3, 3]) about the image centre, with
 *       bilinear sampling (Java2D {@link AffineTransform}). Edges are handled by <b>reflection</b>:
 *       the image is first padded with its mirror image ({@code ...cba|abc...|cba...}), so the
 *       rotated corners show mirrored skin/background instead of black wedges, and the image is not
 *       zoomed (a crop-zoom would change the face scale between epochs).
 *   <li><b>Colour jitter</b> with factors drawn uniformly from [0.9, 1.1], as torchvision's {@code
 *       adjust_brightness}, {@code adjust_contrast} and {@code adjust_saturation} define them, on RGB
 *       in [0, 1], applied in this fixed order (torchvision's {@code ColorJitter} shuffles the
 *       order, but without clamping the three operations commute, so the order only matters where
 *       values clip), each followed by clamping to [0, 1]:
 *       <ul>
 *         <li>brightness {@code b}: {@code x' = clamp(b * x)} (blend with black);
 *         <li>contrast {@code c}: {@code x' = clamp(c * x + (1 - c) * m)}, where {@code m} is the
 *             mean over all pixels of the grey image {@code 0.2989 R + 0.587 G + 0.114 B} (one
 *             scalar per image);
 *         <li>saturation {@code s}: {@code x' = clamp(s * x + (1 - s) * g)}, where {@code g =
 *             0.2989 R + 0.587 G + 0.114 B} is the pixel's own grey value.
 *       </ul>
 * </ol>
 *
 * <p>The jitter is computed in float and written straight into the batch, so it adds no 8-bit
 * rounding. Immutable and thread-safe.
 */
public final class PairAugmentation {
  /** The reference's rotation range in degrees: angles uniform in [-3, 3]. */
  public static final double DEFAULT_MAX_ROTATION_DEGREES = 3;

  /** The largest rotation range accepted, in degrees. */
  public static final int ROTATION_LIMIT_DEGREES = 45;

  /** Grey weights used by torchvision's {@code rgb_to_grayscale}. */
  static final float GREY_R = 0.2989f;

  static final float GREY_G = 0.587f;
  static final float GREY_B = 0.114f;

  /** One draw of the random parameters, shared by both images of a pair. */
  public record Params(
      double brightness, double contrast, double saturation, double rotationDegrees, boolean flip) {
    /** The identity draw: factors 1, no rotation, no flip. */
    public static final Params IDENTITY = new Params(1, 1, 1, 0, false);

    /**
     * Validates a draw.
     *
     * @param brightness brightness factor, non-negative
     * @param contrast contrast factor, non-negative
     * @param saturation saturation factor, non-negative
     * @param rotationDegrees rotation angle in degrees, counter-clockwise on screen for positive
     *     values
     * @param flip whether to mirror left-right
     */
    public Params {
      checkArgument(
          brightness >= 0 && contrast >= 0 && saturation >= 0,
          "jitter factors must be >= 0, got brightness %s, contrast %s, saturation %s",
          brightness,
          contrast,
          saturation);
      checkArgument(Double.isFinite(rotationDegrees), "rotation must be finite, got %s",
          rotationDegrees);
    }
  }

  private final int resolution;
  private final double brightness;
  private final double contrast;
  private final double saturation;
  private final double maxRotation;
  private final boolean flip;

  private PairAugmentation(Builder b) {
    this.resolution = b.resolution;
    this.brightness = b.brightness;
    this.contrast = b.contrast;
    this.saturation = b.saturation;
    this.maxRotation = b.maxRotation;
    this.flip = b.flip;
  }

  /**
   * Returns a builder with the reference's ranges (factors in [0.9, 1.1], rotation in [-3, 3]
   * degrees, no flip).
   *
   * @param resolution the training size in pixels
   * @return a builder
   */
  public static Builder builder(int resolution) {
    return new Builder(resolution);
  }

  /**
   * Returns an augmentation that only resizes (for validation).
   *
   * @param resolution the training size in pixels
   * @return an augmentation whose every draw is {@link Params#IDENTITY}
   */
  public static PairAugmentation none(int resolution) {
    return builder(resolution)
        .optBrightness(0)
        .optContrast(0)
        .optSaturation(0)
        .optMaxRotationDegrees(0)
        .build();
  }

  /** {@return the output side in pixels} */
  public int resolution() {
    return resolution;
  }

  /**
   * Draws the parameters for one pair; the same seed always gives the same draw.
   *
   * @param seed e.g. {@link PairSpec#augmentationSeed()}
   * @return the draw
   */
  public Params draw(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    // Always consume the same number of values so that switching one range off does not change the
    // other draws.
    double b = 1 + brightness * (2 * r.nextDouble() - 1);
    double c = 1 + contrast * (2 * r.nextDouble() - 1);
    double s = 1 + saturation * (2 * r.nextDouble() - 1);
    double rot = maxRotation * (2 * r.nextDouble() - 1);
    boolean f = r.nextBoolean() && flip;
    // "+ 0.0" turns the -0.0 of a zero range into 0.0, so that an off range equals IDENTITY.
    return new Params(b + 0.0, c + 0.0, s + 0.0, rot + 0.0, f);
  }

  /**
   * Augments one image and writes it as CHW float RGB in [0, 1] ({@code 3 x resolution x
   * resolution} floats) into {@code dst} at {@code offset}.
   *
   * @param image the source image, any size
   * @param p the pair's draw
   * @param dst the destination array
   * @param offset the start of the image in {@code dst}
   */
  public void apply(BufferedImage image, Params p, float[] dst, int offset) {
    checkNotNull(image, "image");
    checkNotNull(p, "params");
    BufferedImage geo = geometry(image, p);
    Images.toChw(geo, dst, offset);
    jitter(dst, offset, resolution * resolution, p);
  }

  /**
   * Augments one image into a new image (for previews; training uses {@link #apply(BufferedImage,
   * Params, float[], int)}, which skips the 8-bit rounding).
   *
   * @param image the source image, any size
   * @param p the pair's draw
   * @return a new {@code resolution x resolution} RGB image
   */
  public BufferedImage applyToImage(BufferedImage image, Params p) {
    float[] chw = new float[3 * resolution * resolution];
    apply(image, p, chw, 0);
    return Images.fromChw(chw, 0, resolution, resolution);
  }

  /** Resize, flip and rotate. */
  BufferedImage geometry(BufferedImage image, Params p) {
    BufferedImage src = Images.resizeSquare(image, resolution);
    if (!p.flip() && p.rotationDegrees() == 0) {
      return src;
    }
    int n = resolution;
    // Enough mirrored margin that the rotated square's corners stay inside the padded image.
    double theta = Math.toRadians(p.rotationDegrees());
    double half = n / 2.0;
    double reach = half * (Math.abs(Math.cos(theta)) + Math.abs(Math.sin(theta)));
    int pad = Math.min(n - 1, (int) Math.ceil(reach - half) + 2);
    BufferedImage padded = reflectPad(src, pad, p.flip());
    BufferedImage out = new BufferedImage(n, n, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      // dst = T(centre) R(-theta) T(-centre - pad): a positive angle turns the face
      // counter-clockwise on screen (y points down, so the screen angle is -theta).
      AffineTransform t = new AffineTransform();
      t.translate(half, half);
      t.rotate(-theta);
      t.translate(-half - pad, -half - pad);
      g.drawImage(padded, t, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** Mirrors the image into a margin of {@code pad} pixels on each side (optionally flipped). */
  static BufferedImage reflectPad(BufferedImage src, int pad, boolean flip) {
    int n = src.getWidth();
    int m = n + 2 * pad;
    int[] in = Images.pixels(src);
    int[] out = new int[m * m];
    for (int y = 0; y < m; y++) {
      int sy = reflect(y - pad, n);
      for (int x = 0; x < m; x++) {
        int sx = reflect(x - pad, n);
        if (flip) {
          sx = n - 1 - sx;
        }
        out[y * m + x] = in[sy * n + sx];
      }
    }
    return Images.wrapRgb(out, m, m);
  }

  /** Reflect-101 index (the edge pixel is not repeated), valid for |i| < 2n - 1. */
  static int reflect(int i, int n) {
    if (n == 1) {
      return 0;
    }
    if (i < 0) {
      i = -i;
    }
    if (i >= n) {
      i = 2 * n - 2 - i;
    }
    return i;
  }

  /** Brightness, contrast, saturation on CHW floats (torchvision formulas, see class doc). */
  static void jitter(float[] d, int off, int plane, Params p) {
    float b = (float) p.brightness();
    float c = (float) p.contrast();
    float s = (float) p.saturation();
    int g0 = off + plane;
    int b0 = off + 2 * plane;
    if (b != 1f) {
      for (int i = off; i < off + 3 * plane; i++) {
        d[i] = clamp(b * d[i]);
      }
    }
    if (c != 1f) {
      double sum = 0;
      for (int i = 0; i < plane; i++) {
        sum += GREY_R * d[off + i] + GREY_G * d[g0 + i] + GREY_B * d[b0 + i];
      }
      float mean = (float) (sum / plane);
      float add = (1 - c) * mean;
      for (int i = off; i < off + 3 * plane; i++) {
        d[i] = clamp(c * d[i] + add);
      }
    }
    if (s != 1f) {
      for (int i = 0; i < plane; i++) {
        float r = d[off + i];
        float g = d[g0 + i];
        float bl = d[b0 + i];
        float grey = (1 - s) * (GREY_R * r + GREY_G * g + GREY_B * bl);
        d[off + i] = clamp(s * r + grey);
        d[g0 + i] = clamp(s * g + grey);
        d[b0 + i] = clamp(s * bl + grey);
      }
    }
  }

  private static float clamp(float v) {
    return v < 0f ? 0f : Math.min(v, 1f);
  }

  @Override
  public String toString() {
    return "PairAugmentation{" + resolution + "px, brightness 1+-" + brightness + ", contrast 1+-"
        + contrast + ", saturation 1+-" + saturation + ", rotation +-" + maxRotation + " deg"
        + (flip ? ", flip" : "") + "}";
  }

  /** Builds a {@link PairAugmentation}. Not thread-safe. */
  public static final class Builder {
    private final int resolution;
    private double brightness = 0.1;
    private double contrast = 0.1;
    private double saturation = 0.1;
    private double maxRotation = DEFAULT_MAX_ROTATION_DEGREES;
    private boolean flip;

    private Builder(int resolution) {
      checkArgument(resolution >= 8, "resolution must be >= 8 pixels, got %s", resolution);
      this.resolution = resolution;
    }

    /**
     * Sets the brightness range: factors uniform in [1 - delta, 1 + delta].
     *
     * @param delta in [0, 1) (default 0.1)
     * @return this builder
     */
    public Builder optBrightness(double delta) {
      this.brightness = checkDelta(delta, "brightness");
      return this;
    }

    /**
     * Sets the contrast range: factors uniform in [1 - delta, 1 + delta].
     *
     * @param delta in [0, 1) (default 0.1)
     * @return this builder
     */
    public Builder optContrast(double delta) {
      this.contrast = checkDelta(delta, "contrast");
      return this;
    }

    /**
     * Sets the saturation range: factors uniform in [1 - delta, 1 + delta].
     *
     * @param delta in [0, 1) (default 0.1)
     * @return this builder
     */
    public Builder optSaturation(double delta) {
      this.saturation = checkDelta(delta, "saturation");
      return this;
    }

    /**
     * Sets the rotation range: angles uniform in [-degrees, degrees].
     *
     * @param degrees in [0, 45] (default 3)
     * @return this builder
     */
    public Builder optMaxRotationDegrees(double degrees) {
      checkArgument(
          degrees >= 0 && degrees <= ROTATION_LIMIT_DEGREES,
          "max rotation must be in [0, %s] degrees, got %s", ROTATION_LIMIT_DEGREES, Double.valueOf(degrees));
      this.maxRotation = degrees;
      return this;
    }

    /**
     * Turns random horizontal flips on or off (default off, as in the reference).
     *
     * @param flip true to mirror half of the pairs
     * @return this builder
     */
    public Builder optHorizontalFlip(boolean flip) {
      this.flip = flip;
      return this;
    }

    /** {@return the augmentation} */
    public PairAugmentation build() {
      return new PairAugmentation(this);
    }

    private static double checkDelta(double delta, String what) {
      checkArgument(delta >= 0 && delta < 1, "%s delta must be in [0, 1), got %s", what, delta);
      return delta;
    }
  }
}
