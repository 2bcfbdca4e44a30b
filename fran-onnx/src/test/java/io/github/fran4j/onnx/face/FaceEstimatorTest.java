package io.github.fran4j.onnx.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.pipeline.Face;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A missing or mismatched estimator gets a specific error naming the file; the sidecar's input
 * sampling is an exact area average. Model tests skip without {@code .ci/fetch-test-models}.
 */
class FaceEstimatorTest {
  static final Path AGE = OnnxFaceDetectorTest.MODELS.resolve("fr_age.onnx");
  static final Path FEATURE = OnnxFaceDetectorTest.MODELS.resolve("fr_feature.onnx");
  static final String AGE_INPUT = "\"input\": {\"width\": 64, \"height\": 64, \"scale\": 255}";

  @TempDir Path tmp;

  static void needModels() {
    Assumptions.assumeTrue(Files.isRegularFile(AGE) && Files.isRegularFile(FEATURE),
        "face models absent: run .ci/fetch-test-models to enable these tests");
  }

  Path sidecar(String json) throws Exception {
    Path p = tmp.resolve("spec.json");
    Files.writeString(p, json);
    return p;
  }

  @Test
  void wrongInputSizeNamesBothFilesAndTheShapes() throws Exception {
    needModels();
    Path spec = sidecar("{\"input\": {\"width\": 96, \"height\": 96},"
        + " \"output\": {\"decoding\": \"ssrnet\"}}");
    assertThatThrownBy(() -> FaceEstimator.open(AGE, spec))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(AGE.toString()).hasMessageContaining(spec.toString())
        .hasMessageContaining("[1, 3, 96, 96]").hasMessageContaining("64, 64]");
  }

  @Test
  void ssrnetDecodingOnAnEmbeddingModelNamesTheMissingOutputs() throws Exception {
    needModels();
    Path spec = sidecar("{\"input\": {\"width\": 112, \"height\": 112},"
        + " \"output\": {\"decoding\": \"ssrnet\"}}");
    assertThatThrownBy(() -> FaceEstimator.open(FEATURE, spec))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(FEATURE.toString()).hasMessageContaining("prob_stage_1");
  }

  @Test
  void embeddingDecodingOnTheMultiOutputAgeModelAsksForOneOutput() throws Exception {
    needModels();
    Path spec = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"embedding\"}}");
    assertThatThrownBy(() -> FaceEstimator.open(AGE, spec))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(AGE.toString()).hasMessageContaining("needs one output")
        .hasMessageContaining("has 9");
  }

  @Test
  void scalarDecodingOfAThreeValueOutputIsRefused() throws Exception {
    needModels();
    Path spec = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"scalar\","
        + " \"name\": \"prob_stage_1\"}}");
    assertThatThrownBy(() -> FaceEstimator.open(AGE, spec))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("prob_stage_1").hasMessageContaining("one value");
    Path unknown = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"scalar\","
        + " \"name\": \"age\"}}");
    assertThatThrownBy(() -> FaceEstimator.open(AGE, unknown))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("names output age").hasMessageContaining("prob_stage_1");
  }

  @Test
  void ssrnetStageSizesMustMatchTheOutputs() throws Exception {
    needModels();
    Path spec = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"ssrnet\","
        + " \"stages\": [4, 3, 3]}}");
    assertThatThrownBy(() -> FaceEstimator.open(AGE, spec))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("prob_stage_1 to hold 4 values");
  }

  @Test
  void missingModelOrSidecarIsNamed() throws Exception {
    Path spec = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"ssrnet\"}}");
    Path none = tmp.resolve("nope.onnx");
    assertThatThrownBy(() -> FaceEstimator.open(none, spec))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.onnx");
    Files.writeString(none, "x");
    assertThatThrownBy(() -> FaceEstimator.open(none))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.onnx.json")
        .hasMessageContaining("sidecar");
  }

  @Test
  void badSidecarsAreNamed() throws Exception {
    Path p = sidecar("{\"input\": {\"width\": 64}, \"output\": {\"decoding\": \"ssrnet\"}}");
    assertThatThrownBy(() -> FaceEstimatorSpec.read(p)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(p.toString()).hasMessageContaining("input.height is missing");
    Path q = sidecar("{" + AGE_INPUT + ", \"output\": {\"decoding\": \"softmax\"}}");
    assertThatThrownBy(() -> FaceEstimatorSpec.read(q)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("scalar, ssrnet or embedding, got softmax");
    Path r = sidecar("{\"input\": ");
    assertThatThrownBy(() -> FaceEstimatorSpec.read(r)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not valid JSON");
    Path s = sidecar("{" + AGE_INPUT.replace("255", "255, \"std\": [1, 0, 1]")
        + ", \"output\": {\"decoding\": \"scalar\"}}");
    assertThatThrownBy(() -> FaceEstimatorSpec.read(s)).isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("std must be positive");
  }

  @Test
  void areaResizeAveragesFractionalFootprints() {
    BufferedImage img = new BufferedImage(3, 1, BufferedImage.TYPE_INT_RGB);
    img.setRGB(0, 0, 0x000000);
    img.setRGB(1, 0, 0x300000); // red 48
    img.setRGB(2, 0, 0x600000); // red 96
    // Two outputs over three pixels: [0, 1.5) and [1.5, 3).
    float[] out = FaceEstimator.areaResize(img, 0, 0, 3, 1, 2, 1);
    assertThat(out[0]).isEqualTo((0 + 0.5f * 48) / 1.5f);
    assertThat(out[3]).isEqualTo((0.5f * 48 + 96) / 1.5f);
  }

  @Test
  void normalisesInTheSpecsChannelOrderAndLayout() throws Exception {
    FaceEstimatorSpec spec = FaceEstimatorSpec.parse(Path.of("s.json"), "{\"input\": {\"width\": 1,"
        + " \"height\": 1, \"layout\": \"NHWC\", \"channels\": \"BGR\", \"scale\": 255,"
        + " \"mean\": [0.5, 0, 0], \"std\": [0.5, 1, 1]}, \"output\": {\"decoding\": \"scalar\"}}");
    float[] rgb = {255, 51, 0};
    assertThat(spec.normalise(rgb, 0)).isEqualTo(-1f); // blue 0: (0 - 0.5) / 0.5
    assertThat(spec.normalise(rgb, 2)).isEqualTo(1f); // red 255
    assertThat(spec.nchw()).isFalse();
    assertThat(Face.of(0, 0, 1, 1, 1).width()).isEqualTo(1);
  }
}
