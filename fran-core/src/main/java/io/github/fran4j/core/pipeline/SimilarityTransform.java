package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.List;
import java.util.Locale;

/**
 * A 2-D similarity transform (uniform scale, rotation, translation, no reflection):
 * {@code x' = a*x - b*y + tx}, {@code y' = b*x + a*y + ty}, where {@code a = s*cos(theta)} and
 * {@code b = s*sin(theta)}. Immutable and thread-safe.
 */
public final class SimilarityTransform {
  private final double a;
  private final double b;
  private final double tx;
  private final double ty;

  private SimilarityTransform(double a, double b, double tx, double ty) {
    this.a = a;
    this.b = b;
    this.tx = tx;
    this.ty = ty;
  }

  /**
   * Creates a transform from its four parameters.
   *
   * @param a scale times cosine of the rotation
   * @param b scale times sine of the rotation
   * @param tx horizontal translation
   * @param ty vertical translation
   * @return the transform
   * @throws IllegalArgumentException if the parameters are not finite or the scale is 0
   */
  public static SimilarityTransform of(double a, double b, double tx, double ty) {
    checkArgument(Double.isFinite(a) && Double.isFinite(b) && Double.isFinite(tx)
        && Double.isFinite(ty), "transform parameters must be finite, got a=%s b=%s tx=%s ty=%s",
        a, b, tx, ty);
    checkArgument(a * a + b * b > 1e-24, "transform scale must be > 0, got a=%s b=%s", a, b);
    return new SimilarityTransform(a, b, tx, ty);
  }

  /**
   * Returns the transform that scales by {@code scale} and then translates.
   *
   * @param scale the scale, &gt; 0
   * @param tx horizontal translation
   * @param ty vertical translation
   * @return the transform
   */
  public static SimilarityTransform scaleTranslate(double scale, double tx, double ty) {
    return of(scale, 0, tx, ty);
  }

  /**
   * Fits the similarity transform that maps {@code src} onto {@code dst} with the least sum of
   * squared distances (closed form; reflections are excluded by construction).
   *
   * @param src two or more source points
   * @param dst as many destination points
   * @return the best transform
   * @throws IllegalArgumentException if the counts differ, are below two, or all source points
   *     coincide
   */
  public static SimilarityTransform estimate(List<Point> src, List<Point> dst) {
    checkNotNull(src, "src");
    checkNotNull(dst, "dst");
    checkArgument(src.size() == dst.size(), "need as many source as destination points, got %s and %s",
        src.size(), dst.size());
    checkArgument(src.size() >= 2, "need at least 2 point pairs, got %s", src.size());
    int n = src.size();
    double sx = 0;
    double sy = 0;
    double dx = 0;
    double dy = 0;
    for (int i = 0; i < n; i++) {
      sx += src.get(i).x();
      sy += src.get(i).y();
      dx += dst.get(i).x();
      dy += dst.get(i).y();
    }
    sx /= n;
    sy /= n;
    dx /= n;
    dy /= n;
    double dot = 0;
    double cross = 0;
    double norm = 0;
    for (int i = 0; i < n; i++) {
      double px = src.get(i).x() - sx;
      double py = src.get(i).y() - sy;
      double qx = dst.get(i).x() - dx;
      double qy = dst.get(i).y() - dy;
      dot += px * qx + py * qy;
      cross += px * qy - py * qx;
      norm += px * px + py * py;
    }
    checkArgument(norm > 1e-12, "source points all coincide at (%s, %s): cannot fit a transform", sx, sy);
    double a = dot / norm;
    double b = cross / norm;
    return of(a, b, dx - (a * sx - b * sy), dy - (b * sx + a * sy));
  }

  /**
   * Maps a point.
   *
   * @param p the point
   * @return the transformed point
   */
  public Point apply(Point p) {
    return new Point(a * p.x() - b * p.y() + tx, b * p.x() + a * p.y() + ty);
  }

  /** Returns x' for (x, y); avoids allocating in pixel loops. */
  double applyX(double x, double y) {
    return a * x - b * y + tx;
  }

  /** Returns y' for (x, y); avoids allocating in pixel loops. */
  double applyY(double x, double y) {
    return b * x + a * y + ty;
  }

  /** {@return the inverse transform} */
  public SimilarityTransform inverse() {
    double s2 = a * a + b * b;
    double ia = a / s2;
    double ib = -b / s2;
    return new SimilarityTransform(ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty));
  }

  /**
   * Returns the transform that applies this one and then {@code next}.
   *
   * @param next the transform applied second
   * @return {@code p -> next.apply(this.apply(p))}
   */
  public SimilarityTransform andThen(SimilarityTransform next) {
    double na = next.a * a - next.b * b;
    double nb = next.b * a + next.a * b;
    return new SimilarityTransform(na, nb, next.applyX(tx, ty), next.applyY(tx, ty));
  }

  /** {@return the scale factor {@code sqrt(a^2 + b^2)}} */
  public double scale() {
    return Math.hypot(a, b);
  }

  /** {@return the rotation angle in radians} */
  public double rotation() {
    return Math.atan2(b, a);
  }

  /** {@return parameter a (scale times cosine)} */
  public double a() {
    return a;
  }

  /** {@return parameter b (scale times sine)} */
  public double b() {
    return b;
  }

  /** {@return the horizontal translation} */
  public double tx() {
    return tx;
  }

  /** {@return the vertical translation} */
  public double ty() {
    return ty;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "SimilarityTransform{scale=%.5f, rotation=%.3fdeg, t=(%.3f, %.3f)}",
        scale(), Math.toDegrees(rotation()), tx, ty);
  }
}
