package io.github.fran4j.onnx.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/** UltraFace post-processing that needs no model file. */
class UltraFaceNmsTest {

  @Test
  void nmsKeepsTheBestOfOverlappingBoxes() {
    List<float[]> sorted = List.of(new float[] {0, 0, 10, 10, 0.9f}, new float[] {1, 1, 11, 11, 0.8f},
        new float[] {20, 20, 30, 30, 0.7f});
    // IoU of the first two: 81 / (100 + 100 - 81) = 0.68 > 0.4 -> the second is dropped.
    assertThat(UltraFaceDetector.iou(sorted.get(0), sorted.get(1))).isCloseTo(81.0 / 119, within(1e-9));
    assertThat(UltraFaceDetector.nms(sorted, 0.4f)).extracting(b -> b[4]).containsExactly(0.9f, 0.7f);
  }
}
