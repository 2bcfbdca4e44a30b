package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LandmarkSmootherTest {

  /** A synthetic face moving right by 3 px per frame, its five points jittered by noise. */
  private static List<List<Face>> movingFace(int frames, double noise, long seed) {
    Random r = new Random(seed);
    List<List<Face>> out = new ArrayList<>();
    for (int f = 0; f < frames; f++) {
      double ox = 100 + 3 * f;
      SimilarityTransform t = SimilarityTransform.scaleTranslate(200, ox, 50);
      List<Point> pts = new ArrayList<>();
      for (Point p : FaceAligner.FFHQ_TEMPLATE) {
        Point q = t.apply(p);
        pts.add(new Point(q.x() + noise * r.nextGaussian(), q.y() + noise * r.nextGaussian()));
      }
      out.add(List.of(Face.of(ox + 50, 120, 100, 100, 0.9).withLandmarks(pts)));
    }
    return out;
  }

  private static double cropJitter(List<List<Face>> frames, int expectedOriginStep) {
    // How far each frame's crop origin is from the true linear path, on average.
    double err = 0;
    for (int f = 0; f < frames.size(); f++) {
      FaceCrop c = FaceAligner.defaults().align(frames.get(f).get(0), 256);
      Point o = c.cropToFrame().apply(new Point(0, 0));
      err += Math.hypot(o.x() - (100 + expectedOriginStep * f), o.y() - 50);
    }
    return err / frames.size();
  }

  @Test
  void uniformMotionPassesThroughUnchanged() {
    List<List<Face>> clean = movingFace(20, 0, 1);
    List<List<Face>> smoothed = new LandmarkSmoother(2, 0.3).smooth(clean);
    for (int f = 0; f < 20; f++) {
      Face a = clean.get(f).get(0);
      Face b = smoothed.get(f).get(0);
      assertThat(b.x()).isCloseTo(a.x(), within(1e-9));
      for (int i = 0; i < 5; i++) {
        assertThat(b.landmarks().get(i).x()).isCloseTo(a.landmarks().get(i).x(), within(1e-9));
        assertThat(b.landmarks().get(i).y()).isCloseTo(a.landmarks().get(i).y(), within(1e-9));
      }
    }
  }

  @Test
  void jitterIsReducedOnASyntheticMovingFace() {
    List<List<Face>> noisy = movingFace(40, 2.0, 7);
    List<List<Face>> smoothed = new LandmarkSmoother(2, 0.3).smooth(noisy);
    double before = cropJitter(noisy, 3);
    double after = cropJitter(smoothed, 3);
    assertThat(before).isGreaterThan(1.0);
    // Averaging ~9 frames of independent noise should cut the error well below half.
    assertThat(after).isLessThan(before * 0.5);
  }

  @Test
  void twoFacesAreTrackedSeparately() {
    List<List<Face>> frames = new ArrayList<>();
    for (int f = 0; f < 10; f++) {
      // Listed in alternating order to check linking by overlap, not by position in the list.
      Face left = Face.of(10 + f, 10, 50, 50, 0.9);
      Face right = Face.of(300 - f, 10, 50, 50, 0.8);
      frames.add(f % 2 == 0 ? List.of(left, right) : List.of(right, left));
    }
    List<List<Face>> s = new LandmarkSmoother(1.5, 0.3).smooth(frames);
    for (int f = 0; f < 10; f++) {
      int li = f % 2 == 0 ? 0 : 1;
      assertThat(s.get(f).get(li).x()).isCloseTo(10 + f, within(1e-9));
      assertThat(s.get(f).get(1 - li).x()).isCloseTo(300 - f, within(1e-9));
    }
  }

  @Test
  void badSettingsAreRejected() {
    assertThatThrownBy(() -> new LandmarkSmoother(-1, 0.3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sigma");
    assertThatThrownBy(() -> new LandmarkSmoother(1, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("minIou");
  }

  @Test
  void keyframesInterpolateLinearlyAndHoldAtTheEnds() {
    AgeKeyframes k = AgeKeyframes.parse("10:30, 20:70");
    assertThat(k.ageAt(0)).isEqualTo(30);
    assertThat(k.ageAt(15)).isEqualTo(50);
    assertThat(k.ageAt(25)).isEqualTo(70);
    assertThat(AgeKeyframes.parse("45").ageAt(99)).isEqualTo(45);
    assertThatThrownBy(() -> AgeKeyframes.parse("a:b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FRAME:AGE");
    assertThatThrownBy(() -> AgeKeyframes.parse("0:200"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("age at frame 0");
  }
}
