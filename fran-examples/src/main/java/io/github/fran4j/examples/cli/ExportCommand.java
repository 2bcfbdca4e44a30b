package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * checkpoint (read by {@link WeightFiles}) to an ONNX model, fp32 or static
 * int8 (QDQ) calibrated on a folder of face images, and reports the int8-vs-fp32 PSNR on held-out
 * images from that folder.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = "Export a .safetensors or .pth checkpoint to ONNX (fp32, or int8 with --int8).")
final class ExportCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--checkpoint", required = true, description = "The .safetensors or .pth/.pt weights.")
  Path checkpoint;

  @Option(names = "--out", required = true, description = "The .onnx file to write.")
  Path out;

  @Option(names = "--int8", description = "Quantize to int8 (needs --calibration).")
  boolean int8;

  @Option(names = "--calibration", description = "Folder of face images for int8 calibration.")
  Path calibration;

  @Option(names = "--calibration-count", defaultValue = "32",
      description = "Images used for calibration (default ${DEFAULT-VALUE}); 4 more are held out"
          + " to measure the PSNR.")
  int calibrationCount;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    if (int8 && calibration == null) {
      throw new ParameterException(spec.commandLine(),
          "--int8 needs --calibration DIR: a folder of face images to calibrate activation ranges");
    }
    if (!int8 && calibration != null) {
      throw new ParameterException(spec.commandLine(), "--calibration only applies with --int8");
    }
    StateDict weights = WeightFiles.read(checkpoint);
    UNetConfig config = UNetConfig.fromStateDict(weights);
    byte[] fp32 = OnnxExporter.toBytes(weights, config);
    if (!int8) {
      OnnxExporter.writeAtomically(fp32, out);
      w.printf(Locale.ROOT, "wrote %s (fp32, %.1f MB) for %s%n", out, Files.size(out) / 1e6,
          config);
      return 0;
    }
    List<Tensor> images = CalibrationImages.load(calibration, config.trainingResolution(),
        calibrationCount + 4, 1);
    int held = Math.min(4, images.size() / 2);
    List<Tensor> calib = images.subList(0, images.size() - held);
    List<Tensor> test = images.subList(images.size() - held, images.size());
    byte[] q = Int8Quantizer.quantize(fp32, calib);
    OnnxExporter.writeAtomically(q, out);
    w.printf(Locale.ROOT, "wrote %s (int8 QDQ, %.1f MB, calibrated on %d images) for %s%n", out,
        Files.size(out) / 1e6, calib.size(), config);
    if (!test.isEmpty()) {
      BackendOptions cpu = BackendOptions.builder().optDevice(Device.CPU).build();
      try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", cpu);
          OnnxGenerator b = OnnxGenerator.open(q, "int8", cpu)) {
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        for (Tensor t : test) {
          double p = Int8Quantizer.psnr(a.predict(t), b.predict(t));
          sum += p;
          min = Math.min(min, p);
        }
        w.printf(Locale.ROOT, "int8 vs fp32 delta PSNR on %d held-out images: mean %.1f dB,"
            + " min %.1f dB%n", test.size(), sum / test.size(), min);
      }
    }
    return 0;
  }
}
