package io.github.fran4j.examples;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.export.QuantizedModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts a trained checkpoint ({@code .safetensors}, or a PyTorch {@code .pth}/{@code .pt}) to
 * ONNX: {@code model.onnx} in fp32 and, when a folder of face images is given, also
 * {@code model-int8.onnx}, a static int8 (QDQ) model whose activation ranges are calibrated on
 * those images. The architecture is read from the checkpoint itself
 * ({@link UNetConfig#fromStateDict}); both files load with {@code ReAger.load}.
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.ExportToOnnx
 * CHECKPOINT OUT_DIR [CALIBRATION_DIR]}, e.g. {@code UNet_epoch90.pth models/ faces/}.
 * {@code fran export} does the same with more options.
 */
public final class ExportToOnnx {
  /** The most calibration images used; more give steadier ranges but a slower export. */
  public static final int MAX_CALIBRATION_IMAGES = 32;

  private ExportToOnnx() {}

  /**
   * Runs the example.
   *
   * @param args checkpoint file, output folder, and optionally a folder of calibration images
   * @throws Exception if a file cannot be read or written, or the checkpoint is not a FRAN U-Net
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 2 && args.length != 3) {
      throw new IllegalArgumentException("usage: ExportToOnnx CHECKPOINT OUT_DIR [CALIBRATION_DIR]");
    }
    StateDict weights = WeightFiles.read(Path.of(args[0]));
    UNetConfig config = UNetConfig.fromStateDict(weights);
    Path outDir = Files.createDirectories(Path.of(args[1]));

    byte[] fp32 = OnnxExporter.toBytes(weights, config);
    Path fp32File = outDir.resolve("model.onnx");
    OnnxExporter.writeAtomically(fp32, fp32File);
    System.out.printf("wrote %s (fp32) for %s%n", fp32File, config);

    if (args.length == 3) {
      // Calibration inputs are the images at the training resolution with plausible age planes.
      List<Tensor> images = CalibrationImages.load(Path.of(args[2]),
          config.trainingResolution(), MAX_CALIBRATION_IMAGES, 1);
      // Hold out every fourth image to check the int8 model against fp32; below 40 dB the
      // quantizer keeps the most sensitive activations (output side first) in float.
      List<Tensor> calibration = new ArrayList<>();
      List<Tensor> heldOut = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        (i % 4 == 3 ? heldOut : calibration).add(images.get(i));
      }
      Int8Quantizer.Builder quantizer = Int8Quantizer.builder();
      if (!heldOut.isEmpty()) {
        quantizer.optValidation(heldOut).optTargetPsnr(40);
      }
      QuantizedModel int8 = quantizer.build().quantize(fp32, calibration);
      Path int8File = outDir.resolve("model-int8.onnx");
      OnnxExporter.writeAtomically(int8.bytes(), int8File);
      System.out.printf("wrote %s: %s%n", int8File, int8);
    }
  }
}
