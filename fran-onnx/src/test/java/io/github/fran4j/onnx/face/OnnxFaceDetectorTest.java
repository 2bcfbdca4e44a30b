package io.github.fran4j.onnx.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.Point;
import io.github.fran4j.core.pipeline.WorkingImages;
import io.github.fran4j.core.spi.FakeGenerator;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the real face models from {@code faceplugin-face-recognition-js@0.0.1}, fetched by
 * {@code .ci/fetch-test-models} into {@code target/test-models/} at the repository root; skips
 * when they are absent. Expected positions were read off the portraits by eye.
 */
class OnnxFaceDetectorTest {
  static final Path MODELS = Path.of("").toAbsolutePath().getParent()
      .resolve("target/test-models/package/model");
  static final Path DETECT = MODELS.resolve("fr_detect.onnx");
  static final Path LANDMARK = MODELS.resolve("fr_landmark.onnx");

  @TempDir Path tmp;

  @BeforeEach
  void needModels() {
    Assumptions.assumeTrue(Files.isRegularFile(DETECT) && Files.isRegularFile(LANDMARK),
        "face models absent from " + MODELS + ": run .ci/fetch-test-models to enable these tests");
  }

  static BufferedImage photo(String name) throws Exception {
    try (InputStream in = OnnxFaceDetectorTest.class.getResourceAsStream("/photos/" + name)) {
      return ImageIO.read(in);
    }
  }

  @Test
  void findsGraceHoppersFaceAndEyes() throws Exception {
    try (OnnxFaceDetector d = OnnxFaceDetector.open(DETECT, LANDMARK)) {
      List<Face> faces = d.detect(photo("grace_hopper_512x512.jpg"));
      assertThat(faces).hasSize(1);
      Face f = faces.get(0);
      // Her face (forehead under the cap to chin) spans roughly x 175-355, y 110-320.
      assertThat(f.center().x()).isCloseTo(264, within(25.0));
      assertThat(f.center().y()).isCloseTo(212, within(25.0));
      assertThat(f.width()).isBetween(150.0, 260.0);
      assertThat(f.landmarks()).hasSize(68);
      List<Point> five = f.fivePoints().orElseThrow();
      // Eye centres behind the glasses near (225, 172) and (305, 168); mouth at y ~ 260.
      assertThat(five.get(0).distance(new Point(225, 172))).isLessThan(15);
      assertThat(five.get(1).distance(new Point(305, 168))).isLessThan(15);
      assertThat(five.get(2).y()).isBetween(195.0, 240.0);
      assertThat(five.get(3).y()).isBetween(240.0, 280.0);
      assertThat(five.get(3).x()).isLessThan(five.get(4).x());
    }
  }

  @Test
  void findsTheAstronautsFace() throws Exception {
    try (UltraFaceDetector d = UltraFaceDetector.open(DETECT)) {
      List<Face> faces = d.detect(photo("astronaut.jpg"));
      assertThat(faces).hasSize(1);
      // Her face is centred near (223, 118), about 100 px tall.
      assertThat(faces.get(0).center().distance(new Point(223, 118))).isLessThan(20);
      assertThat(faces.get(0).landmarks()).isEmpty();
      assertThat(d.inputSize()).containsExactly(320, 240);
    }
  }

  @Test
  void flatImageHasNoFaceAndBorderFacesAreClipped() throws Exception {
    try (OnnxFaceDetector d = OnnxFaceDetector.open(DETECT, LANDMARK)) {
      assertThat(d.detect(new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB))).isEmpty();
      // Cut the portrait through the face: the box must stay inside the image.
      BufferedImage half = photo("grace_hopper_512x512.jpg").getSubimage(230, 0, 282, 512);
      List<Face> faces = d.detect(half);
      assertThat(faces).hasSize(1);
      assertThat(faces.get(0).x()).isGreaterThanOrEqualTo(0);
      assertThat(faces.get(0).x() + faces.get(0).width()).isLessThanOrEqualTo(282);
      // The pipeline re-ages it without error and leaves the far side untouched.
      FacePipeline p = FacePipeline.builder().optFaceDetector(d).build();
      BufferedImage out = p.reage(new FakeGenerator(16), half, AgeMap.constant(30), AgeMap.constant(70));
      assertThat(out.getRGB(281, 500)).isEqualTo(WorkingImages.toWorking(half).getRGB(281, 500));
    }
  }

  @Test
  void smallFacesInALargeFrameAreFound() throws Exception {
    BufferedImage big = new BufferedImage(1024, 1024, BufferedImage.TYPE_INT_RGB);
    big.createGraphics().drawImage(photo("grace_hopper_512x512.jpg"), 700, 100, 128, 128, null);
    try (UltraFaceDetector d = UltraFaceDetector.open(DETECT)) {
      List<Face> faces = d.detect(big);
      assertThat(faces).hasSize(1);
      // The 128-px portrait's face is about 50 px wide, centred near (700 + 66, 100 + 53).
      assertThat(faces.get(0).center().distance(new Point(766, 153))).isLessThan(12);
    }
  }

  @Test
  void wrongFilesGiveSpecificErrors() throws Exception {
    assertThatThrownBy(() -> UltraFaceDetector.open(tmp.resolve("missing.onnx")))
        .isInstanceOf(NoSuchFileException.class);
    Path junk = tmp.resolve("junk.onnx");
    Files.writeString(junk, "not a model");
    assertThatThrownBy(() -> UltraFaceDetector.open(junk))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("cannot load");
    assertThatThrownBy(() -> UltraFaceDetector.open(LANDMARK))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("UltraFace-style");
    assertThatThrownBy(() -> Landmark68Model.open(DETECT, 0))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("[1, 1, S, S]");
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseFails() throws Exception {
    OnnxFaceDetector d = OnnxFaceDetector.open(DETECT, LANDMARK);
    d.close();
    d.close();
    assertThatThrownBy(() -> d.detect(new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
