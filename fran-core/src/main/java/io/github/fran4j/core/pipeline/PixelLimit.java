package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * The largest photo accepted, in pixels, and where that figure comes from (a plain limit, or a
 * memory budget through {@link PhotoMemory}), so that a refusal can say both. {@link Photos} checks
 * it from the image header, before any pixel is decoded. Immutable and thread-safe.
 *
 * @param maxPixels the largest width x height accepted, at least 0 (0 refuses every photo: the
 *     budget does not even cover the fixed cost of the model)
 * @param source what sets the limit, for messages: empty for a plain limit, else e.g.
 *     {@code "a memory budget of 2.00 GiB at --face full (...)"}
 */
public record PixelLimit(long maxPixels, String source) {
  /**
   * Checks the values.
   *
   * @param maxPixels the limit, at least 0
   * @param source what sets the limit
   */
  public PixelLimit {
    checkArgument(maxPixels >= 0, "pixel limit must be >= 0, got %s", maxPixels);
    checkNotNull(source, "source");
  }

  /**
   * Returns a plain pixel limit.
   *
   * @param maxPixels the largest width x height accepted, &gt; 0
   * @return the limit, with no source
   */
  public static PixelLimit of(long maxPixels) {
    checkArgument(maxPixels > 0, "pixel limit must be > 0, got %s", maxPixels);
    return new PixelLimit(maxPixels, "");
  }

  /**
   * Returns the stricter of this limit and another (this one on a tie).
   *
   * @param other the other limit
   * @return the limit with the smaller {@link #maxPixels()}
   */
  public PixelLimit min(PixelLimit other) {
    checkNotNull(other, "other");
    return other.maxPixels < maxPixels ? other : this;
  }

  /**
   * Returns whether an image of this size is accepted.
   *
   * @param width the width in pixels
   * @param height the height in pixels
   * @return whether {@code width * height} (as a long) is at most the limit
   */
  public boolean accepts(int width, int height) {
    return (long) width * height <= maxPixels;
  }

  /**
   * Describes why an image is refused: its size, the limit and its source.
   *
   * @param name the image (a file name or a form field)
   * @param width its width
   * @param height its height
   * @return e.g. {@code "a.jpg: 6000x6000 = 36,000,000 pixels exceeds the pixel limit of
   *     1,000,000 set by a memory budget of ...; downscale it or raise the budget"}
   */
  public String refusal(String name, int width, int height) {
    long px = (long) width * height;
    String head = String.format(Locale.ROOT, "%s: %dx%d = %,d pixels exceeds the pixel limit of %,d",
        name, width, height, px, maxPixels);
    return source.isEmpty() ? head + "; downscale it or raise the pixel limit"
        : head + " set by " + source + "; downscale it or raise the budget";
  }
}
