package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * A detected face: a box in image pixels, a confidence score, and optionally 5 or 68 landmarks.
 * Immutable and thread-safe.
 *
 * <p>Five landmarks are, in this order: left eye centre, right eye centre, nose tip, left mouth
 * corner, right mouth corner ("left" as seen in the image). Sixty-eight landmarks follow the
 * iBUG 300-W numbering (0-based: jaw 0-16, eyes 36-41 and 42-47, nose tip 30, mouth corners 48 and
 * 54); {@link #fivePoints()} derives the five from them.
 */
public final class Face {
  private final double x;
  private final double y;
  private final double width;
  private final double height;
  private final double score;
  private final ImmutableList<Point> landmarks;

  private Face(double x, double y, double width, double height, double score,
      ImmutableList<Point> landmarks) {
    this.x = x;
    this.y = y;
    this.width = width;
    this.height = height;
    this.score = score;
    this.landmarks = landmarks;
  }

  /**
   * Creates a face without landmarks.
   *
   * @param x left edge in pixels
   * @param y top edge in pixels
   * @param width box width, &gt; 0
   * @param height box height, &gt; 0
   * @param score detector confidence (1 for given boxes)
   * @return the face
   * @throws IllegalArgumentException if the box is empty or not finite
   */
  public static Face of(double x, double y, double width, double height, double score) {
    checkArgument(Double.isFinite(x) && Double.isFinite(y), "face box origin must be finite, got (%s, %s)", x, y);
    checkArgument(width > 0 && height > 0 && Double.isFinite(width) && Double.isFinite(height),
        "face box must have a positive finite size, got %sx%s", width, height);
    return new Face(x, y, width, height, score, ImmutableList.of());
  }

  /**
   * Returns a copy with landmarks.
   *
   * @param points exactly 5 or 68 landmarks (see the class comment for the order)
   * @return the new face
   * @throws IllegalArgumentException for another count
   */
  public Face withLandmarks(List<Point> points) {
    checkNotNull(points, "points");
    checkArgument(points.size() == 5 || points.size() == 68,
        "expected 5 or 68 landmarks, got %s", points.size());
    return new Face(x, y, width, height, score, ImmutableList.copyOf(points));
  }

  /**
   * Returns a copy whose box is moved and scaled, landmarks included: {@code p -> p * scale +
   * (dx, dy)}. Used to map detections made on a resized image back to the original.
   *
   * @param scale the scale factor, &gt; 0
   * @param dx horizontal shift after scaling
   * @param dy vertical shift after scaling
   * @return the mapped face
   */
  public Face mapped(double scale, double dx, double dy) {
    checkArgument(scale > 0, "scale must be > 0, got %s", scale);
    ImmutableList.Builder<Point> b = ImmutableList.builder();
    for (Point p : landmarks) {
      b.add(new Point(p.x() * scale + dx, p.y() * scale + dy));
    }
    return new Face(x * scale + dx, y * scale + dy, width * scale, height * scale, score, b.build());
  }

  /** {@return the left edge in pixels} */
  public double x() {
    return x;
  }

  /** {@return the top edge in pixels} */
  public double y() {
    return y;
  }

  /** {@return the box width in pixels} */
  public double width() {
    return width;
  }

  /** {@return the box height in pixels} */
  public double height() {
    return height;
  }

  /** {@return the box centre} */
  public Point center() {
    return new Point(x + width / 2, y + height / 2);
  }

  /** {@return the detector's confidence} */
  public double score() {
    return score;
  }

  /** {@return the landmarks: empty, 5 or 68 points} */
  public List<Point> landmarks() {
    return landmarks;
  }

  /**
   * {@return the five alignment points (eyes, nose tip, mouth corners), taken as given or derived
   * from 68 landmarks; empty when the face has no landmarks}
   */
  public Optional<List<Point>> fivePoints() {
    if (landmarks.size() == 5) {
      return Optional.of(landmarks);
    }
    if (landmarks.size() == 68) {
      List<Point> l = landmarks;
      Point leftEye = Point.mean(l.get(36), l.get(37), l.get(38), l.get(39), l.get(40), l.get(41));
      Point rightEye = Point.mean(l.get(42), l.get(43), l.get(44), l.get(45), l.get(46), l.get(47));
      return Optional.of(ImmutableList.of(leftEye, rightEye, l.get(30), l.get(48), l.get(54)));
    }
    return Optional.empty();
  }

  /**
   * Returns the intersection over union of two boxes.
   *
   * @param o the other face
   * @return a value in [0, 1]
   */
  public double iou(Face o) {
    double ix = Math.max(0, Math.min(x + width, o.x + o.width) - Math.max(x, o.x));
    double iy = Math.max(0, Math.min(y + height, o.y + o.height) - Math.max(y, o.y));
    double inter = ix * iy;
    double union = width * height + o.width * o.height - inter;
    return union <= 0 ? 0 : inter / union;
  }

  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "Face{box=%.1f,%.1f %.1fx%.1f, score=%.3f, landmarks=%d}",
        x, y, width, height, score, landmarks.size());
  }
}
