package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.onnx.eval.EvaluationReport;
import io.github.fran4j.onnx.eval.LabelledPhoto;
import io.github.fran4j.onnx.eval.PhotoEvaluation;
import io.github.fran4j.onnx.face.FaceEstimator;
import io.github.fran4j.onnx.face.FaceEstimatorSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fran eval}: re-ages a folder of real photos to several target ages and reports, per target
 * age, the age an ONNX age estimator reads from the outputs, the identity cosine similarity of a
 * face-embedding model between input and output, and the change outside the face mask (which must
 * be zero). The logic is {@link PhotoEvaluation}; see docs/evaluation.md.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Re-age a folder of photos (ages in the names, name_35.jpg, or --ages-csv) to target ages",
      "and measure the outputs with your age and face-embedding ONNX models; writes",
      "report.html, summary.csv and samples.csv."
    })
public final class EvalCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--model", paramLabel = "M", required = true,
      description = "The re-aging model (.onnx, .safetensors or .pth).")
  Path model;

  @Option(names = "--photos", paramLabel = "DIR", required = true,
      description = "Folder of photos (JPEG, PNG, BMP, GIF); the age after the last underscore of "
          + "each name unless --ages-csv is given.")
  Path photos;

  @Option(names = "--ages-csv", paramLabel = "CSV",
      description = "file,age lines giving each photo's age.")
  Path agesCsv;

  @Option(names = "--ages", paramLabel = "AGES", split = ",", defaultValue = "20,40,60,80",
      description = "Target ages (default: ${DEFAULT-VALUE}).")
  List<Double> ages;

  @Option(names = "--age-model", paramLabel = "A.onnx",
      description = "Age estimator in ONNX, described by A.onnx.json (see docs/evaluation.md).")
  Path ageModel;

  @Option(names = "--age-model-spec", paramLabel = "JSON",
      description = "The age estimator's sidecar, if not A.onnx.json.")
  Path ageModelSpec;

  @Option(names = "--identity-model", paramLabel = "F.onnx",
      description = "Face-embedding model in ONNX, described by F.onnx.json.")
  Path identityModel;

  @Option(names = "--identity-model-spec", paramLabel = "JSON",
      description = "The embedding model's sidecar, if not F.onnx.json.")
  Path identityModelSpec;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "eval-out",
      description = "Report folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + Photos.DEFAULT_MAX_PIXELS,
      description = "Largest photo accepted, in pixels (default: ${DEFAULT-VALUE}).")
  long maxPixels;

  @Mixin FaceOptions face;

  @Override
  public Integer call() throws Exception {
    PrintWriter o = spec.commandLine().getOut();
    if (ageModel == null && ageModelSpec != null || identityModel == null
        && identityModelSpec != null) {
      throw new IllegalArgumentException("--age-model-spec and --identity-model-spec go with "
          + "--age-model and --identity-model");
    }
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("--max-pixels must be > 0, got " + maxPixels);
    }
    List<LabelledPhoto> labelled = LabelledPhoto.scan(photos, agesCsv);
    double[] targets = ages.stream().mapToDouble(Double::doubleValue).toArray();
    face.validate(spec.commandLine());
    // The one options -> ReAger mapping; evaluation wants an error, not a pass-through, on no face.
    ReAgeOptions options = face.apply(ReAgeOptions.builder().setModel(model.toString())
        .optMaxPixels(maxPixels).optNoFacePolicy(NoFacePolicy.THROW)).build();
    try (FaceDetector det = options.openDetector();
        FaceEstimator age = open(ageModel, ageModelSpec);
        FaceEstimator id = open(identityModel, identityModelSpec);
        ReAger reager = options.open(det)) {
      PhotoEvaluation.Result r = PhotoEvaluation.builder().setReAger(reager).setPhotos(labelled)
          .setTargetAges(targets).optAgeModel(age).optIdentityModel(id).optMaxPixels(maxPixels)
          .build().run();
      Path html = EvaluationReport.write(r, out, model.getFileName().toString());
      o.println(EvaluationReport.verdict(r));
      o.println("Report: " + html.toAbsolutePath());
    }
    return ExitCodes.OK;
  }

  private static FaceEstimator open(Path model, Path sidecar) throws java.io.IOException {
    if (model == null) {
      return null;
    }
    return FaceEstimator.open(model, sidecar != null ? sidecar : FaceEstimatorSpec.sidecarOf(model));
  }
}
