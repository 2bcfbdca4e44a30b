package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import org.junit.jupiter.api.Test;

class SimilarityTransformTest {

  @Test
  void estimateRecoversAKnownTransformFromExactPoints() {
    // scale 2, rotation 30 degrees, translation (5, -3), written out by hand.
    double a = 2 * Math.cos(Math.toRadians(30));
    double b = 2 * Math.sin(Math.toRadians(30));
    List<Point> src = List.of(new Point(0, 0), new Point(1, 0), new Point(0, 1), new Point(3, 4));
    List<Point> dst = new ArrayList<>();
    for (Point p : src) {
      dst.add(new Point(a * p.x() - b * p.y() + 5, b * p.x() + a * p.y() - 3));
    }
    SimilarityTransform t = SimilarityTransform.estimate(src, dst);
    assertThat(t.scale()).isCloseTo(2, within(1e-12));
    assertThat(Math.toDegrees(t.rotation())).isCloseTo(30, within(1e-9));
    assertThat(t.tx()).isCloseTo(5, within(1e-12));
    assertThat(t.ty()).isCloseTo(-3, within(1e-12));
    // (1, 0) -> (5 + sqrt(3), -3 + 1)
    Point q = t.apply(new Point(1, 0));
    assertThat(q.x()).isCloseTo(5 + Math.sqrt(3), within(1e-12));
    assertThat(q.y()).isCloseTo(-2, within(1e-12));
  }

  @Test
  void estimateIsTheLeastSquaresFitForNoisyPoints() {
    // Two points moved symmetrically off a pure translation: the fit must be the translation.
    List<Point> src = List.of(new Point(0, 0), new Point(2, 0));
    List<Point> dst = List.of(new Point(10, 1), new Point(12, -1));
    SimilarityTransform t = SimilarityTransform.estimate(src, dst);
    // Hand: centroids (1,0) -> (11,0); dot = (-1*-1 + 0) + (1*1 + 0) = 2, cross = (-1*1) + (1*-1) = -2,
    // norm = 2 -> a = 1, b = -1.
    assertThat(t.a()).isCloseTo(1, within(1e-12));
    assertThat(t.b()).isCloseTo(-1, within(1e-12));
  }

  @Property(tries = 200)
  void inverseUndoesTheTransform(@ForAll @DoubleRange(min = 0.01, max = 50) double scale,
      @ForAll @DoubleRange(min = -3.2, max = 3.2) double angle,
      @ForAll @DoubleRange(min = -5000, max = 5000) double tx,
      @ForAll @DoubleRange(min = -5000, max = 5000) double ty,
      @ForAll @DoubleRange(min = -4000, max = 4000) double x,
      @ForAll @DoubleRange(min = -4000, max = 4000) double y) {
    SimilarityTransform t = SimilarityTransform.of(scale * Math.cos(angle), scale * Math.sin(angle), tx, ty);
    Point back = t.inverse().apply(t.apply(new Point(x, y)));
    assertThat(back.x()).isCloseTo(x, within(1e-6));
    assertThat(back.y()).isCloseTo(y, within(1e-6));
    Point composed = t.andThen(t.inverse()).apply(new Point(x, y));
    assertThat(composed.x()).isCloseTo(x, within(1e-6));
    assertThat(composed.y()).isCloseTo(y, within(1e-6));
  }

  @Test
  void andThenAppliesLeftThenRight() {
    SimilarityTransform first = SimilarityTransform.of(0, 1, 2, 0); // rotate 90 degrees, shift x by 2
    SimilarityTransform second = SimilarityTransform.scaleTranslate(3, 0, 1);
    // (1, 0) -> rotate -> (0, 1) -> +2 -> (2, 1) -> *3 -> (6, 3) -> +1 in y -> (6, 4)
    Point p = first.andThen(second).apply(new Point(1, 0));
    assertThat(p.x()).isCloseTo(6, within(1e-12));
    assertThat(p.y()).isCloseTo(4, within(1e-12));
  }

  @Test
  void badInputsAreRejectedWithMessages() {
    List<Point> one = List.of(new Point(0, 0));
    assertThatThrownBy(() -> SimilarityTransform.estimate(one, one))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    assertThatThrownBy(() -> SimilarityTransform.estimate(List.of(new Point(0, 0), new Point(1, 1)), one))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as many");
    List<Point> same = List.of(new Point(3, 3), new Point(3, 3));
    assertThatThrownBy(() -> SimilarityTransform.estimate(same, List.of(new Point(0, 0), new Point(1, 1))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("coincide");
    assertThatThrownBy(() -> SimilarityTransform.of(0, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scale");
    assertThatThrownBy(() -> SimilarityTransform.of(Double.NaN, 0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("finite");
  }
}
