package io.github.fran4j.examples.cli;

import io.github.fran4j.core.pipeline.FaceAligner;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.FixedBoxDetector;
import io.github.fran4j.core.pipeline.FullImageDetector;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.onnx.face.OnnxFaceDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The face options of a command ({@code --face}, {@code --detector}, {@code --landmarks},
 * {@code --min-face}) as a picocli mixin, and the detector and pipeline they describe.
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
    String f = face.trim().toLowerCase(Locale.ROOT);
    checks.onlyWhen("--min-face", !(f.equals("full") || (f.equals("auto") && detector == null)),
        "when the whole image is the face (--face full, or auto without --detector)");
  }

  /**
   * Opens the detector the options describe; {@link FullImageDetector#INSTANCE} means no face
   * pipeline.
   *
   * @throws IllegalArgumentException if {@code --face} is not auto, full or x,y,w,h
   */
  FaceDetector openDetector() throws IOException {
    String f = face.trim().toLowerCase(Locale.ROOT);
    if (f.equals("full") || (f.equals("auto") && detector == null)) {
      return FullImageDetector.INSTANCE;
    }
    if (f.equals("auto")) {
      return OnnxFaceDetector.open(detector, landmarks);
    }
    try {
      return FixedBoxDetector.parse(face);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--face must be auto, full or x,y,w,h: " + e.getMessage(), e);
    }
  }

  /** Returns the face pipeline around a detector. */
  FacePipeline pipeline(FaceDetector det, long maxPixels, NoFacePolicy noFace) {
    FacePipeline.Builder b = FacePipeline.builder().optFaceDetector(det).optMaxPixels(maxPixels)
        .optMinFaceSize(minFace).optNoFacePolicy(noFace);
    if (det instanceof OnnxFaceDetector && landmarks == null) {
      // Detector boxes hug the face; enlarge them towards an FFHQ-like framing.
      b.optAligner(FaceAligner.builder().optBoxScale(1.6).build());
    }
    return b.build();
  }
}
