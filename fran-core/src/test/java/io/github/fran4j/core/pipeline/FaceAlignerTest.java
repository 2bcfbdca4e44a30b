package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaceAlignerTest {

  /** A face whose five points are the template placed in the frame by a known transform. */
  private static Face faceFromTemplate(SimilarityTransform unitToFrame) {
    List<Point> pts = new ArrayList<>();
    for (Point t : FaceAligner.FFHQ_TEMPLATE) {
      pts.add(unitToFrame.apply(t));
    }
    return Face.of(100, 100, 50, 50, 0.9).withLandmarks(pts);
  }

  @Test
  void landmarksMapOntoTheTemplate() {
    SimilarityTransform unitToFrame = SimilarityTransform.of(300 * Math.cos(0.3), 300 * Math.sin(0.3), 700, 200);
    Face face = faceFromTemplate(unitToFrame);
    FaceCrop crop = FaceAligner.defaults().align(face, 256);
    for (int i = 0; i < 5; i++) {
      Point inCrop = crop.frameToCrop().apply(face.landmarks().get(i));
      assertThat(inCrop.x()).isCloseTo(FaceAligner.FFHQ_TEMPLATE.get(i).x() * 256, within(1e-6));
      assertThat(inCrop.y()).isCloseTo(FaceAligner.FFHQ_TEMPLATE.get(i).y() * 256, within(1e-6));
    }
    // The crop covers the unit square placed by unitToFrame: side 300 px, rotated by 0.3 rad.
    assertThat(crop.sideInFrame()).isCloseTo(300, within(1e-6));
    assertThat(crop.cropToFrame().rotation()).isCloseTo(0.3, within(1e-9));
    Point corner = crop.cropToFrame().apply(new Point(0, 0));
    assertThat(corner.x()).isCloseTo(700, within(1e-6));
    assertThat(corner.y()).isCloseTo(200, within(1e-6));
  }

  @Test
  void marginShrinksTheFaceInsideTheCrop() {
    Face face = faceFromTemplate(SimilarityTransform.scaleTranslate(200, 50, 60));
    FaceCrop crop = FaceAligner.builder().optMargin(0.25).build().align(face, 100);
    // Growth 1 + 2 * 0.25 = 1.5: the crop side in the frame is 200 * 1.5, centred on the same point.
    assertThat(crop.sideInFrame()).isCloseTo(300, within(1e-6));
    Point centre = crop.cropToFrame().apply(new Point(50, 50));
    assertThat(centre.x()).isCloseTo(150, within(1e-6));
    assertThat(centre.y()).isCloseTo(160, within(1e-6));
  }

  @Test
  void sixtyEightLandmarksGiveEyeCentresNoseAndMouthCorners() {
    List<Point> pts = new ArrayList<>();
    for (int i = 0; i < 68; i++) {
      pts.add(new Point(i, 2 * i));
    }
    List<Point> five = Face.of(0, 0, 10, 10, 1).withLandmarks(pts).fivePoints().orElseThrow();
    // Mean of 36..41 = 38.5, of 42..47 = 44.5; nose tip 30; mouth corners 48 and 54.
    assertThat(five.get(0)).isEqualTo(new Point(38.5, 77));
    assertThat(five.get(1)).isEqualTo(new Point(44.5, 89));
    assertThat(five.get(2)).isEqualTo(new Point(30, 60));
    assertThat(five.get(3)).isEqualTo(new Point(48, 96));
    assertThat(five.get(4)).isEqualTo(new Point(54, 108));
  }

  @Test
  void boxOnlyFacesGiveACentredSquare() {
    Face face = Face.of(10, 20, 40, 80, 1);
    FaceCrop crop = FaceAligner.builder().optBoxScale(1.5).build().align(face, 64);
    // Side = 80 * 1.5 = 120, centred on (30, 60): top-left (-30, 0).
    assertThat(crop.sideInFrame()).isCloseTo(120, within(1e-9));
    assertThat(crop.cropToFrame().apply(new Point(0, 0))).isEqualTo(new Point(-30, 0));
    assertThat(crop.frameBounds(100, 100)).containsExactly(0, 0, 90, 100);
  }

  @Test
  void wrongLandmarkCountsAndBadSettingsAreRejected() {
    Face f = Face.of(0, 0, 10, 10, 1);
    assertThatThrownBy(() -> f.withLandmarks(List.of(new Point(0, 0))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 or 68");
    assertThatThrownBy(() -> FaceAligner.builder().optMargin(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("margin");
    assertThatThrownBy(() -> Face.of(0, 0, 0, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThatThrownBy(() -> FixedBoxDetector.parse("1,2,3"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x,y,w,h");
    assertThatThrownBy(() -> FixedBoxDetector.parse("1,2,3,x"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'x'");
  }
}
