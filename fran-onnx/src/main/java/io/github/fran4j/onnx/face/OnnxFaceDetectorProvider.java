package io.github.fran4j.onnx.face;

import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.spi.FaceDetectorProvider;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens ONNX face detectors as {@link OnnxFaceDetector}s (UltraFace-style boxes, refined
 * by an optional 68-point landmark model). Registered for {@link java.util.ServiceLoader}.
 * Stateless and thread-safe.
 */
public final class OnnxFaceDetectorProvider implements FaceDetectorProvider {
  /** Creates the provider (as {@link java.util.ServiceLoader} does). */
  public OnnxFaceDetectorProvider() {}

  @Override
  public String name() {
    return "onnx";
  }

  /** Accepts every file: ONNX models have no fixed extension, ONNX Runtime says if it is one. */
  @Override
  public boolean accepts(Path detector) {
    return true;
  }

  @Override
  public FaceDetector open(Path detector, Path landmarks) throws IOException {
    return OnnxFaceDetector.open(detector, landmarks);
  }
}
