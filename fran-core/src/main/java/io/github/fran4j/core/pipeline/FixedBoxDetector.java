package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * A user-given face box, used as the crop as it is (no landmarks, no enlargement). Immutable and
 * thread-safe.
 */
public final class FixedBoxDetector implements FaceDetector {
  private final int x;
  private final int y;
  private final int width;
  private final int height;

  /**
   * Creates the detector.
   *
   * @param x left edge, &gt;= 0
   * @param y top edge, &gt;= 0
   * @param width width, &gt; 0
   * @param height height, &gt; 0
   */
  public FixedBoxDetector(int x, int y, int width, int height) {
    checkArgument(x >= 0 && y >= 0, "face box origin must be >= 0, got (%s, %s)", x, y);
    checkArgument(width > 0 && height > 0, "face box size must be > 0, got %sx%s", width, height);
    this.x = x;
    this.y = y;
    this.width = width;
    this.height = height;
  }

  /**
   * Parses {@code x,y,w,h} (integers, as the CLI's {@code --face} takes them).
   *
   * @param text the box
   * @return the detector
   * @throws IllegalArgumentException naming the expected form
   */
  public static FixedBoxDetector parse(String text) {
    String[] parts = text == null ? new String[0] : text.trim().split("\\s*,\\s*");
    if (parts.length != 4) {
      throw new IllegalArgumentException("face box '" + text + "' must be x,y,w,h (four integers)");
    }
    int[] v = new int[4];
    for (int i = 0; i < 4; i++) {
      try {
        v[i] = Integer.parseInt(parts[i]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "face box '" + text + "' must be x,y,w,h (four integers); '" + parts[i] + "' is not one", e);
      }
    }
    return new FixedBoxDetector(v[0], v[1], v[2], v[3]);
  }

  /**
   * Returns the box as one face.
   *
   * @throws IllegalArgumentException if the box lies outside the image
   */
  @Override
  public List<Face> detect(BufferedImage image) {
    checkArgument(x + width <= image.getWidth() && y + height <= image.getHeight(),
        "face box %s,%s,%s,%s lies outside the %sx%s image", x, y, width, height,
        image.getWidth(), image.getHeight());
    return List.of(Face.of(x, y, width, height, 1.0));
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FixedBoxDetector{%d,%d,%d,%d}", x, y, width, height);
  }
}
