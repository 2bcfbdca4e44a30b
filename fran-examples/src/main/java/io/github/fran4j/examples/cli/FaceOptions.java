package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAgeOptions;
import java.util.Locale;
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
   * Refuses values out of range and options that do nothing with these face options: a usage
   * error naming the option.
   *
   * @param cl the command line, for the usage error
   */
  void validate(picocli.CommandLine cl) {
    OptionChecks checks = OptionChecks.of(cl).atLeast("--min-face", minFace, 1);
    if (landmarks != null && detector == null) {
      throw new picocli.CommandLine.ParameterException(cl, "--landmarks needs --detector: "
          + "landmarks are predicted inside the faces the detector finds");
    }
    checks.onlyWhen("--min-face", !wholeImage(),
        "when the whole image is the face (--face full, or auto without --detector)");
  }

  /**
   * Tells whether the whole image is the face ({@code --face full}, or auto without a detector),
   * so that options about face crops do nothing.
   *
   * @return true when no face crop is made
   */
  boolean wholeImage() {
    String f = face.trim().toLowerCase(Locale.ROOT);
    return f.equals("full") || (f.equals("auto") && detector == null);
  }

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
