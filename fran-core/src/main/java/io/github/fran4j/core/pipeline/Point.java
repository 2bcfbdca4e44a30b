package io.github.fran4j.core.pipeline;

/**
 * A point in image coordinates (pixels; the top-left corner of the top-left pixel is (0, 0), its
 * centre is (0.5, 0.5)). Immutable.
 *
 * @param x horizontal position, growing to the right
 * @param y vertical position, growing downwards
 */
public record Point(double x, double y) {

  /**
   * Returns the mean of some points.
   *
   * @param points one or more points
   * @return their centroid
   * @throws IllegalArgumentException if there are no points
   */
  public static Point mean(Point... points) {
    if (points.length == 0) {
      throw new IllegalArgumentException("mean of no points: expected at least one point");
    }
    double sx = 0;
    double sy = 0;
    for (Point p : points) {
      sx += p.x;
      sy += p.y;
    }
    return new Point(sx / points.length, sy / points.length);
  }

  /**
   * Returns the Euclidean distance to another point.
   *
   * @param o the other point
   * @return the distance in pixels
   */
  public double distance(Point o) {
    return Math.hypot(x - o.x, y - o.y);
  }
}
