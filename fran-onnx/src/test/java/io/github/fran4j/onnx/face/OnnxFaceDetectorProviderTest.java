package io.github.fran4j.onnx.face;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.pipeline.FaceDetector;
import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** fran-core opens an ONNX detector named by an option through the registered provider. */
class OnnxFaceDetectorProviderTest {
  @Test
  void reAgeOptionsOpenTheOnnxDetectorWithItsLandmarks() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(OnnxFaceDetectorTest.DETECT)
        && Files.isRegularFile(OnnxFaceDetectorTest.LANDMARK),
        "face models absent: run .ci/fetch-test-models to enable this test");
    ReAgeOptions o = ReAgeOptions.builder().setModel("unused.onnx")
        .optDetector(OnnxFaceDetectorTest.DETECT.toString())
        .optLandmarks(OnnxFaceDetectorTest.LANDMARK.toString()).build();
    try (FaceDetector det = o.openDetector()) {
      assertThat(det).isInstanceOf(OnnxFaceDetector.class);
      assertThat(((OnnxFaceDetector) det).landmarkModel()).isPresent();
      assertThat(o.pipeline(det)).isPresent();
    }
  }
}
