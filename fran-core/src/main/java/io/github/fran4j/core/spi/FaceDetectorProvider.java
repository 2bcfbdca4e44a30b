package io.github.fran4j.core.spi;

import io.github.fran4j.core.pipeline.FaceDetector;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Opens face detectors from model files, so that fran-core can open the detector an option names
 * ({@code --detector fr_detect.onnx}) without depending on the artifact that runs it. Found
 * through {@link java.util.ServiceLoader} by {@link FaceDetectors#open}; fran-onnx registers one
 * for UltraFace-style ONNX detectors with optional 68-point landmark models.
 *
 * <p>Implementations are stateless and thread-safe, with a public no-argument constructor.
 */
public interface FaceDetectorProvider {
  /** {@return a short name, e.g. {@code onnx}} */
  String name();

  /**
   * Says whether this provider can open a detector file, from its name alone (no I/O).
   *
   * @param detector the detector model file
   * @return true if {@link #open} should be tried
   */
  boolean accepts(Path detector);

  /**
   * Opens a detector.
   *
   * @param detector the detector model file
   * @param landmarks a landmark model refining each face, or null for boxes alone
   * @return the detector; the caller closes it
   * @throws IOException if a file is missing, unreadable or not a model this provider runs
   */
  FaceDetector open(Path detector, Path landmarks) throws IOException;
}
