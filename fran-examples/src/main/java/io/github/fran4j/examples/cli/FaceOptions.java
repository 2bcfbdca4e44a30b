package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAgeOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The face options of a command ({@code --face}, {@code --detector}, {@code --landmarks},
 * {@code --min-face}) as a picocli mixin, set on {@link ReAgeOptions}.
 */
final class FaceOptions {
  @Option(names = "--face", defaultValue = "auto",
      description = "auto (detector if given, else full), full (the whole image is the face), or "
          + "x,y,w,h. Default: ${DEFAULT-VALUE}.")
  String face;

  @Option(names = "--detector", description = "UltraFace-style ONNX face detector (e.g. fr_detect.onnx).")
  Path detector;

  @Option(names = "--landmarks", description = "68-point landmark ONNX model (e.g. fr_landmark.onnx).")
  Path landmarks;

  @Option(names = "--min-face", defaultValue = "24", description = "Smallest face re-aged, pixels.")
  int minFace;

  /**
   * Sets these options on re-ager options, the one mapping to a detector and a face pipeline.
   *
   * @param b the options to complete
   * @return {@code b}
   * @throws IllegalArgumentException if {@code --face} is not auto, full or x,y,w,h
   */
  ReAgeOptions.Builder apply(ReAgeOptions.Builder b) {
    if (detector != null) {
      b.optDetector(detector.toString());
    }
    if (landmarks != null) {
      b.optLandmarks(landmarks.toString());
    }
    try {
      b.optFace(face);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--" + e.getMessage(), e);
    }
    return b.optMinFace(minFace);
  }
}
