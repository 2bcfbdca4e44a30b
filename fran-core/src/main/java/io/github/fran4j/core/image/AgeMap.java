package io.github.fran4j.core.image;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * Ages in years over an image: one age everywhere, a per-pixel map, or a mask with an inside age,
 * an outside age and a feathered edge. This is how a user asks for localized re-aging, e.g. an
 * older forehead only.
 *
 * <p>Ages must be finite and within [0, {@link #MAX_AGE}]. A map is rendered at any size with
 * {@link #render(int, int)} (bilinear resampling when the size differs from the map's own).
 * Immutable and thread-safe.
 */
public final class AgeMap {
  /** The largest accepted age in years. */
  public static final double MAX_AGE = 150;

  private final double constant;
  private final float[] ages;
  private final int width;
  private final int height;

  private AgeMap(double constant, float[] ages, int width, int height) {
    this.constant = constant;
    this.ages = ages;
    this.width = width;
    this.height = height;
  }

  /**
   * Returns a map with one age everywhere.
   *
   * @param age the age in years, in [0, 150]
   * @return the map
   * @throws IllegalArgumentException for NaN, infinite, negative or too large ages
   */
  public static AgeMap constant(double age) {
    return new AgeMap(checkAge(age, "age"), null, 0, 0);
  }

  /**
   * Returns a per-pixel map.
   *
   * @param ages {@code width * height} ages in years, row-major (copied)
   * @param width the map's width
   * @param height the map's height
   * @return the map
   * @throws IllegalArgumentException if the size does not match or an age is invalid (naming the
   *     first bad pixel)
   */
  public static AgeMap perPixel(float[] ages, int width, int height) {
    checkNotNull(ages, "ages");
    checkArgument(width > 0 && height > 0, "age map size must be positive, got %sx%s", width, height);
    // In long: width * height as an int overflows for large maps and would accept a wrong length.
    checkArgument(ages.length == (long) width * height,
        "age map of %sx%s needs %s values, got %s", width, height, (long) width * height,
        ages.length);
    for (int i = 0; i < ages.length; i++) {
      if (!(ages[i] >= 0 && ages[i] <= MAX_AGE)) {
        throw new IllegalArgumentException(String.format(
            "age at pixel (%d, %d) is %s, expected a value in [0, %s] years",
            i % width, i / width, ages[i], MAX_AGE));
      }
    }
    return new AgeMap(Double.NaN, ages.clone(), width, height);
  }

  /**
   * Returns a map from a grey image whose grey level is the age in years (0 to 150; levels above
   * 150 are rejected). Colour images use their luma.
   *
   * @param image the age image
   * @return the map
   */
  public static AgeMap fromGrey(BufferedImage image) {
    return fromGrey(image, 0, 255);
  }

  /**
   * Returns a map from a grey image, mapping black to {@code ageAtBlack} and white to
   * {@code ageAtWhite} linearly. Colour images use their luma (0.299 R + 0.587 G + 0.114 B).
   *
   * @param image the age image
   * @param ageAtBlack the age of level 0
   * @param ageAtWhite the age of level 255 (or 65535 for 16-bit images)
   * @return the map
   */
  public static AgeMap fromGrey(BufferedImage image, double ageAtBlack, double ageAtWhite) {
    checkNotNull(image, "age image");
    checkArgument(Double.isFinite(ageAtBlack) && Double.isFinite(ageAtWhite),
        "ages must be finite, got %s and %s", ageAtBlack, ageAtWhite);
    PlanarImage p = PlanarImage.fromBufferedImage(image);
    int w = p.width();
    int h = p.height();
    float[] rgb = p.rgb();
    int plane = w * h;
    float[] ages = new float[plane];
    for (int i = 0; i < plane; i++) {
      double luma = 0.299 * rgb[i] + 0.587 * rgb[plane + i] + 0.114 * rgb[2 * plane + i];
      ages[i] = (float) (ageAtBlack + luma * (ageAtWhite - ageAtBlack));
    }
    return perPixel(ages, w, h);
  }

  /**
   * Returns a map that is {@code insideAge} where a mask is set and {@code outsideAge} elsewhere,
   * with the edge feathered by a Gaussian blur of standard deviation {@code featherPixels / 4}
   * (so the transition spans about {@code featherPixels}).
   *
   * @param mask {@code width * height} weights in [0, 1] (1 = inside), row-major
   * @param width the mask's width
   * @param height the mask's height
   * @param insideAge age inside the mask
   * @param outsideAge age outside the mask
   * @param featherPixels the width of the soft edge, 0 for a hard edge
   * @return the map
   */
  public static AgeMap masked(float[] mask, int width, int height, double insideAge,
      double outsideAge, double featherPixels) {
    checkNotNull(mask, "mask");
    checkArgument(width > 0 && height > 0, "mask size must be positive, got %sx%s", width, height);
    checkArgument(mask.length == (long) width * height,
        "mask of %sx%s needs %s values, got %s", width, height, (long) width * height, mask.length);
    checkAge(insideAge, "insideAge");
    checkAge(outsideAge, "outsideAge");
    checkArgument(featherPixels >= 0 && Double.isFinite(featherPixels),
        "featherPixels must be finite and >= 0, got %s", featherPixels);
    float[] m = mask.clone();
    for (int i = 0; i < m.length; i++) {
      checkArgument(m[i] >= 0 && m[i] <= 1,
          "mask value at pixel (%s, %s) is %s, expected [0, 1]", i % width, i / width, m[i]);
    }
    if (featherPixels > 0) {
      m = GaussianBlur.blur(m, width, height, featherPixels / 4);
    }
    float[] ages = new float[m.length];
    for (int i = 0; i < m.length; i++) {
      ages[i] = (float) (outsideAge + m[i] * (insideAge - outsideAge));
    }
    return new AgeMap(Double.NaN, ages, width, height);
  }

  /**
   * Returns a masked map from a mask image: pixels whose luma is at least half are inside.
   *
   * @param mask the mask image (white = inside)
   * @param insideAge age inside the mask
   * @param outsideAge age outside the mask
   * @param featherPixels the width of the soft edge
   * @return the map
   */
  public static AgeMap masked(BufferedImage mask, double insideAge, double outsideAge,
      double featherPixels) {
    checkNotNull(mask, "mask image");
    AgeMap levels = fromGrey(mask, 0, 1);
    float[] m = levels.ages.clone();
    for (int i = 0; i < m.length; i++) {
      m[i] = m[i] >= 0.5f ? 1f : 0f;
    }
    return masked(m, levels.width, levels.height, insideAge, outsideAge, featherPixels);
  }

  /** {@return the single age when this map is constant} */
  public OptionalDouble constantAge() {
    return ages == null ? OptionalDouble.of(constant) : OptionalDouble.empty();
  }

  /** {@return the map's own width, or 0 for a constant map} */
  public int width() {
    return width;
  }

  /** {@return the map's own height, or 0 for a constant map} */
  public int height() {
    return height;
  }

  /**
   * Renders the ages at a size, resampling bilinearly (pixel centres aligned) when the size differs
   * from the map's own.
   *
   * @param w the width
   * @param h the height
   * @return {@code w * h} ages in years, row-major (a new array)
   */
  public float[] render(int w, int h) {
    checkArgument(w > 0 && h > 0, "render size must be positive, got %sx%s", w, h);
    float[] out = new float[w * h];
    if (ages == null) {
      Arrays.fill(out, (float) constant);
      return out;
    }
    if (w == width && h == height) {
      return ages.clone();
    }
    for (int y = 0; y < h; y++) {
      double sy = Math.max(0, Math.min(height - 1, (y + 0.5) * height / h - 0.5));
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, height - 1);
      double fy = sy - y0;
      for (int x = 0; x < w; x++) {
        double sx = Math.max(0, Math.min(width - 1, (x + 0.5) * width / w - 0.5));
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, width - 1);
        double fx = sx - x0;
        double top = ages[y0 * width + x0] * (1 - fx) + ages[y0 * width + x1] * fx;
        double bottom = ages[y1 * width + x0] * (1 - fx) + ages[y1 * width + x1] * fx;
        out[y * w + x] = (float) (top * (1 - fy) + bottom * fy);
      }
    }
    return out;
  }

  /**
   * Checks one age.
   *
   * @param age the age in years
   * @param what the name to use in the message
   * @return the age
   * @throws IllegalArgumentException unless the age is finite and in [0, 150]
   */
  public static double checkAge(double age, String what) {
    if (!(age >= 0 && age <= MAX_AGE)) {
      throw new IllegalArgumentException(
          what + " must be a finite age in [0, " + (int) MAX_AGE + "] years, got " + age);
    }
    return age;
  }

  /** Returns a short description. */
  @Override
  public String toString() {
    return ages == null ? "AgeMap[constant " + constant + "]"
        : "AgeMap[" + width + "x" + height + " per-pixel]";
  }
}
