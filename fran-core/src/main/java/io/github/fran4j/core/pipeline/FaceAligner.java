package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.util.List;
import java.util.Optional;

/**
 * Maps a face to the square FFHQ-style crop the models are trained on. Immutable and thread-safe.
 *
 * <p>With five landmarks, the crop is the least-squares similarity transform that sends them to
 * {@link #FFHQ_TEMPLATE} (scaled down by the margin). Without landmarks (a detector box, a
 * user-given box or the whole image), the crop is the square centred on the box whose side is the
 * box's longer side times {@code boxScale}, times {@code 1 + 2 * margin}.
 *
 * <p>The template was derived here from the FFHQ alignment rule (crop side = max(2 x eye distance,
 * 1.8 x eye-to-mouth distance) x 2, centred 0.1 x eye-to-mouth below the eye midpoint), applied to
 * the proportions of the widely used five-point face template, then made left-right symmetric.
 */
public final class FaceAligner {
  /**
   * The five alignment points (left eye, right eye, nose tip, left and right mouth corner) in the
   * unit square of an FFHQ-style crop.
   */
  public static final List<Point> FFHQ_TEMPLATE = ImmutableList.of(
      new Point(0.380, 0.472), new Point(0.620, 0.472), new Point(0.500, 0.610),
      new Point(0.402, 0.750), new Point(0.598, 0.750));

  private final double margin;
  private final double boxScale;

  private FaceAligner(Builder b) {
    this.margin = b.margin;
    this.boxScale = b.boxScale;
  }

  /** {@return an aligner with no margin and box scale 1} */
  public static FaceAligner defaults() {
    return builder().build();
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these settings} */
  public Builder toBuilder() {
    return builder().optMargin(margin).optBoxScale(boxScale);
  }

  /** {@return the margin: the crop grows by {@code 1 + 2 * margin} around the template} */
  public double margin() {
    return margin;
  }

  /** {@return the factor applied to a box's longer side for faces without landmarks} */
  public double boxScale() {
    return boxScale;
  }

  /**
   * Returns the crop for a face.
   *
   * @param face the face
   * @param size the crop side in pixels (the resolution the face is re-aged at)
   * @return the crop
   */
  public FaceCrop align(Face face, int size) {
    checkNotNull(face, "face");
    checkArgument(size > 0, "crop size must be > 0, got %s", size);
    Optional<List<Point>> five = face.fivePoints();
    double grow = 1 + 2 * margin;
    if (five.isPresent()) {
      ImmutableList.Builder<Point> dst = ImmutableList.builder();
      for (Point t : FFHQ_TEMPLATE) {
        dst.add(new Point(((t.x() - 0.5) / grow + 0.5) * size, ((t.y() - 0.5) / grow + 0.5) * size));
      }
      SimilarityTransform frameToCrop = SimilarityTransform.estimate(five.get(), dst.build());
      return new FaceCrop(face, frameToCrop.inverse(), size);
    }
    double side = Math.max(face.width(), face.height()) * boxScale * grow;
    Point c = face.center();
    return new FaceCrop(face,
        SimilarityTransform.scaleTranslate(side / size, c.x() - side / 2, c.y() - side / 2), size);
  }

  /** Builds a {@link FaceAligner}; not thread-safe. */
  public static final class Builder {
    private double margin;
    private double boxScale = 1.0;

    private Builder() {}

    /**
     * Sets the margin added on every side, as a fraction of the template crop (default 0).
     *
     * @param v in [0, 2]
     * @return this builder
     */
    public Builder optMargin(double v) {
      checkArgument(v >= 0 && v <= 2, "margin must be in [0, 2], got %s", v);
      margin = v;
      return this;
    }

    /**
     * Sets the factor applied to the longer side of a box for faces without landmarks (default 1:
     * the box is the crop). Detector boxes that hug the face need about 1.6 to reach an FFHQ-like
     * framing.
     *
     * @param v in (0, 10]
     * @return this builder
     */
    public Builder optBoxScale(double v) {
      checkArgument(v > 0 && v <= 10, "box scale must be in (0, 10], got %s", v);
      boxScale = v;
      return this;
    }

    /** {@return the aligner} */
    public FaceAligner build() {
      return new FaceAligner(this);
    }
  }
}
