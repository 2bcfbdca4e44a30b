package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.NoBackendException;
import io.github.fran4j.core.pipeline.FaceDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

/** Opens a face detector file with the first {@link FaceDetectorProvider} that accepts it. */
public final class FaceDetectors {
  private FaceDetectors() {}

  /**
   * Opens a detector file.
   *
   * @param detector the detector model file
   * @param landmarks a landmark model refining each face, or null
   * @return the detector; the caller closes it
   * @throws IOException if a file cannot be read or loaded
   * @throws NoBackendException if no provider on the class path accepts the file (naming the
   *     providers found and the artifact to add)
   */
  public static FaceDetector open(Path detector, Path landmarks) throws IOException {
    checkNotNull(detector, "detector");
    List<String> found = new ArrayList<>();
    for (FaceDetectorProvider p : ServiceLoader.load(FaceDetectorProvider.class,
        FaceDetectors.class.getClassLoader())) {
      if (p.accepts(detector)) {
        return p.open(detector, landmarks);
      }
      found.add(p.name());
    }
    throw new NoBackendException("no face detector provider accepts " + detector + " (found: "
        + (found.isEmpty() ? "none" : String.join(", ", found)) + "); ONNX detectors need "
        + "io.github.fran4j:fran-onnx on the class path");
  }
}
