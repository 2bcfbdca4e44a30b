package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.onnx.export.Fp16Converter;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.export.QuantizedModel;
import io.github.fran4j.onnx.export.OnnxExporter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fran export}: converts a {@code .safetensors} or PyTorch {@code .pth}/{@code .pt}
 * checkpoint (read by {@link WeightFiles}) to an ONNX model: fp32, fp16 ({@link Fp16Converter},
 * for GPUs) or static int8 (QDQ) calibrated on a folder of face images. For int8 (and fp16 with a
 * calibration folder) it holds out a few images of that folder, measures the PSNR against fp32 on
 * them and keeps activations in float until a PSNR target is met
 * ({@link Int8Quantizer.Builder#optTargetPsnr}).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a .safetensors or .pth checkpoint to ONNX (fp32, fp16 or int8).")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "The .safetensors or .pth/.pt weights.")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "The .onnx file to write.")
  Path out;

  @Option(names = "--int8", description = "Quantize to int8 (needs --calibration); same as"
      + " --precision int8.")
  boolean int8;

  @Option(names = "--precision", paramLabel = "P",
      description = "fp32 (default), fp16 (for GPUs; --calibration DIR checks activation ranges)"
          + " or int8 (for CPUs; needs --calibration).")
  String precision;

  @Option(names = "--calibration", description = "Folder of face images for int8 calibration.")
  Path calibration;

  @Option(names = "--calibration-count", defaultValue = "128",
      description = "Images used for calibration (default ${DEFAULT-VALUE}).")
  int calibrationCount;

  @Option(names = "--validation-count", defaultValue = "8",
      description = "Held-out images that measure the int8-vs-fp32 PSNR (default ${DEFAULT-VALUE}).")
  int validationCount;

  @Option(names = "--validation", paramLabel = "DIR",
      description = "Folder of held-out images, e.g. other identities (default: images of the"
          + " calibration folder that calibration does not use).")
  Path validation;

  @Option(names = "--target-psnr", paramLabel = "DB",
      description = "Keep activations in float, output side first, until the held-out delta PSNR"
          + " reaches this many dB (default 40 for int8, 0 for fp16; 0 = convert everything).")
  Double targetPsnr;

  @Option(names = "--float", split = ",", paramLabel = "NAME",
      description = "Activations (int8) or layers (fp16) to keep in float from the start, e.g."
          + " up4.conv.double_conv.5.")
  List<String> floatActivations = new ArrayList<>();

  @Option(names = "--percentile", defaultValue = "100",
      description = "Activation range: central percentile of the calibration values"
          + " (default ${DEFAULT-VALUE} = [min, max]).")
  double percentile;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    String p = precision();
    boolean int8 = p.equals("int8");
    boolean fp16 = p.equals(Fp16Converter.FP16);
    String fp32Only = "with --precision fp32 (nothing is quantized or converted); add --int8 or "
        + "--precision fp16";
    OptionChecks.of(spec.commandLine()).atLeast("--calibration-count", calibrationCount, 1)
        .atLeast("--validation-count", validationCount, 0)
        .inRange("--target-psnr", targetPsnr == null ? 0 : targetPsnr, 0, 200)
        .onlyWhen("--calibration-count", int8 || fp16, fp32Only)
        .onlyWhen("--validation-count", int8 || fp16, fp32Only)
        .onlyWhen("--target-psnr", int8 || fp16, fp32Only)
        .onlyWhen("--float", int8 || fp16, fp32Only)
        .onlyWhen("--percentile", int8, "without --int8: only int8 calibration clips ranges");
    OptionChecks.of(spec.commandLine()).inHalfOpenRange("--percentile", percentile, 50, 100);
    if (int8 && calibration == null) {
      throw new ParameterException(spec.commandLine(),
          "--int8 needs --calibration DIR: a folder of face images to calibrate activation ranges");
    }
    if (!int8 && !fp16 && (calibration != null || validation != null)) {
      throw new ParameterException(spec.commandLine(),
          "--calibration and --validation only apply with --int8 or --precision fp16");
    }
    // int8 aims at 40 dB by default; fp16 rarely needs a target, so it is off unless asked for.
    double target = targetPsnr != null ? targetPsnr : int8 ? 40 : 0;
    if (fp16 && calibration == null && target > 0) {
      throw new ParameterException(spec.commandLine(), "--target-psnr with --precision fp16 needs"
          + " --calibration DIR: held-out images from it measure the fp16-vs-fp32 PSNR");
    }
    StateDict weights = WeightFiles.read(checkpoint);
    UNetConfig config = UNetConfig.fromStateDict(weights, checkpoint.toString());
    byte[] fp32 = OnnxExporter.toBytes(weights, config);
    if (!int8 && !fp16) {
      OnnxExporter.writeAtomically(fp32, out);
      w.printf(Locale.ROOT, "wrote %s (fp32, %.1f MB) for %s%n", out, Files.size(out) / 1e6,
          config);
      return 0;
    }
    if (fp16 && calibration == null) {
      QuantizedModel h = convert(Fp16Converter.builder().optFloatLayers(floatActivations).build(),
          fp32);
      OnnxExporter.writeAtomically(h.bytes(), out);
      w.printf(Locale.ROOT, "wrote %s (fp16, %.1f MB) for %s%n", out, Files.size(out) / 1e6,
          config);
      w.println(h.floatActivations().isEmpty()
          ? "every layer fp16 (activation ranges not checked: give --calibration DIR to check)"
          : "kept in float32: " + String.join(", ", h.floatActivations()));
      return 0;
    }
    if (calibrationCount < 1 || validationCount < 0 || target < 0) {
      throw new ParameterException(spec.commandLine(), "--calibration-count must be >= 1,"
          + " --validation-count and --target-psnr >= 0");
    }
    if (target > 0 && validationCount == 0) {
      throw new ParameterException(spec.commandLine(),
          "--target-psnr needs held-out images: set --validation-count >= 1 (or --target-psnr 0)");
    }
    List<Tensor> calib = new ArrayList<>();
    List<Tensor> held = new ArrayList<>();
    int res = config.trainingResolution();
    if (validation != null) {
      calib.addAll(CalibrationImages.load(calibration, res, calibrationCount, 1));
      if (validationCount > 0) {
        held.addAll(CalibrationImages.load(validation, res, validationCount, 2));
      }
    } else {
      List<Tensor> images = CalibrationImages.load(calibration, res,
          calibrationCount + validationCount, 1);
      // Hold out images spread over the folder (every age), not its last ones.
      int v = Math.min(validationCount, images.size() / 2);
      for (int i = 0; i < images.size(); i++) {
        boolean hold = (long) i * v / images.size() != (long) (i + 1) * v / images.size();
        (hold ? held : calib).add(images.get(i));
      }
    }
    if (target > 0 && held.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--target-psnr needs held-out images, but "
          + (validation != null ? validation : calibration) + " has too few images to hold any"
          + " out (need at least 2); add images, give --validation DIR, or use --target-psnr 0");
    }
    QuantizedModel q;
    String what;
    if (int8) {
      q = convert(() -> {
        Int8Quantizer.Builder qb = Int8Quantizer.builder().optPercentile(percentile)
            .optFloatActivations(floatActivations).optValidation(held);
        if (target > 0) {
          qb.optTargetPsnr(target);
        }
        return qb.build().quantize(fp32, calib);
      });
      what = "int8 QDQ";
    } else {
      Fp16Converter.Builder fb = Fp16Converter.builder().optCalibration(calib)
          .optFloatLayers(floatActivations).optValidation(held);
      if (target > 0) {
        fb.optTargetPsnr(target);
      }
      q = convert(fb.build(), fp32);
      what = "fp16";
    }
    OnnxExporter.writeAtomically(q.bytes(), out);
    w.printf(Locale.ROOT, "wrote %s (%s, %.1f MB, calibrated on %d images) for %s%n", out, what,
        Files.size(out) / 1e6, calib.size(), config);
    if (q.validationPsnr().isPresent()) {
      w.printf(Locale.ROOT, "%s vs fp32 delta PSNR on %d held-out images: %.1f dB%s%n",
          int8 ? "int8" : "fp16", held.size(), q.validationPsnr().getAsDouble(),
          q.targetPsnr().isPresent()
              ? String.format(Locale.ROOT, " (target %.1f dB%s)", q.targetPsnr().getAsDouble(),
                  q.targetMet() ? "" : ", NOT met even with every activation in float")
              : "");
    }
    if (int8) {
      w.println(q.floatActivations().isEmpty() ? "every activation is int8"
          : "kept in float for accuracy: " + String.join(", ", q.floatActivations()));
    } else {
      w.println(q.floatActivations().isEmpty() ? "every layer fp16"
          : "kept in float32: " + String.join(", ", q.floatActivations()));
    }
    return 0;
  }

  /** The precision asked for: {@code --precision}, or int8 for {@code --int8}. */
  private String precision() {
    String p = precision == null ? (int8 ? "int8" : "fp32") : precision.trim().toLowerCase(Locale.ROOT);
    if (!p.equals("fp32") && !p.equals(Fp16Converter.FP16) && !p.equals("int8")) {
      throw new ParameterException(spec.commandLine(),
          "unknown --precision '" + precision + "', expected fp32, fp16 or int8");
    }
    if (int8 && !p.equals("int8")) {
      throw new ParameterException(spec.commandLine(),
          "--int8 conflicts with --precision " + p + "; give one of them");
    }
    return p;
  }

  /** A conversion whose bad option (an unknown float name) is a usage error, not a crash. */
  private interface Conversion {
    QuantizedModel run() throws ModelFormatException;
  }

  private QuantizedModel convert(Conversion c) throws ModelFormatException {
    try {
      return c.run();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private QuantizedModel convert(Fp16Converter c, byte[] fp32) throws ModelFormatException {
    return convert(() -> c.convert(fp32));
  }
}
