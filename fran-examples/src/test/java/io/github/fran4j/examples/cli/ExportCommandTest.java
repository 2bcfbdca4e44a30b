package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExportCommandTest {
  private static final UNetConfig CFG = UNetConfig.builder().optBaseWidth(4).optDepth(2)
      .optTrainingResolution(16).build();
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cl = FranCli.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    return cl.execute(args);
  }

  @Test
  void exportsFp32ThatMatchesTheInMemoryExport(@TempDir Path dir) throws Exception {
    StateDict w = RandomUNetWeights.create(CFG, 8);
    Path ckpt = dir.resolve("g.safetensors");
    SafeTensors.write(w, ckpt);
    Path onnx = dir.resolve("out/g.onnx");
    assertThat(run("export", "--checkpoint", ckpt.toString(), "--out", onnx.toString()))
        .as(err.toString()).isZero();
    assertThat(out.toString()).contains("wrote", "fp32");
    assertThat(Files.readAllBytes(onnx)).isEqualTo(OnnxExporter.toBytes(w, CFG));
  }

  @Test
  void exportsInt8CalibratedOnAFolderAndReportsPsnr(@TempDir Path dir) throws Exception {
    SafeTensors.write(RandomUNetWeights.create(CFG, 8), dir.resolve("g.safetensors"));
    writeFaces(dir.resolve("faces/30"), 6);
    Path onnx = dir.resolve("g8.onnx");
    int rc = run("export", "--checkpoint", dir.resolve("g.safetensors").toString(), "--out",
        onnx.toString(), "--int8", "--calibration", dir.resolve("faces").toString(),
        "--calibration-count", "3");
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("int8 QDQ", "calibrated on 3 images",
        "int8 vs fp32 delta PSNR on 3 held-out images", "(target 40.0 dB)");
    java.util.regex.Matcher m = java.util.regex.Pattern
        .compile("held-out images: ([0-9.]+) dB").matcher(out.toString());
    assertThat(m.find()).as(out.toString()).isTrue();
    assertThat(Double.parseDouble(m.group(1))).isGreaterThanOrEqualTo(40);
    try (OnnxGenerator g = OnnxGenerator.open(onnx,
        BackendOptions.builder().optDevice(Device.CPU).build())) {
      assertThat(g.predict(Tensor.zeros(1, 5, 16, 16)).shape()).containsExactly(1, 3, 16, 16);
    }
  }

  @Test
  void int8WithoutTargetQuantizesEveryActivationAndUnknownFloatNamesAreUsageErrors(
      @TempDir Path dir) throws Exception {
    SafeTensors.write(RandomUNetWeights.create(CFG, 8), dir.resolve("g.safetensors"));
    writeFaces(dir.resolve("faces"), 4);
    String[] common = {"export", "--checkpoint", dir.resolve("g.safetensors").toString(), "--out",
        dir.resolve("g8.onnx").toString(), "--int8", "--calibration",
        dir.resolve("faces").toString(), "--calibration-count", "2", "--validation-count", "2"};
    assertThat(run(concat(common, "--target-psnr", "0"))).as(err.toString()).isZero();
    assertThat(out.toString()).contains("every activation is int8").doesNotContain("target");

    assertThat(run(concat(common, "--float", "up2.conv.double_conv.5"))).isZero();
    assertThat(out.toString()).contains("kept in float for accuracy: up2.conv.double_conv.5");

    assertThat(run(concat(common, "--float", "nope"))).isEqualTo(2);
    assertThat(err.toString()).contains("no quantizable activation named 'nope'",
        "up2.conv.double_conv.5");

    assertThat(run(concat(common, "--percentile", "20"))).isEqualTo(2);
    assertThat(err.toString()).contains("--percentile 20 must be in (50, 100]");
  }

  @Test
  void targetWithTooFewImagesToHoldOutIsAUsageError(@TempDir Path dir) throws Exception {
    SafeTensors.write(RandomUNetWeights.create(CFG, 8), dir.resolve("g.safetensors"));
    writeFaces(dir.resolve("faces"), 1);
    int rc = run("export", "--checkpoint", dir.resolve("g.safetensors").toString(), "--out",
        dir.resolve("g8.onnx").toString(), "--int8", "--calibration",
        dir.resolve("faces").toString());
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--target-psnr needs held-out images, but ",
        "has too few images to hold any out (need at least 2)");
    assertThat(dir.resolve("g8.onnx")).doesNotExist();
  }

  private static String[] concat(String[] a, String... b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }

  private static void writeFaces(Path folder, int count) throws Exception {
    Files.createDirectories(folder);
    Random r = new Random(1);
    for (int i = 0; i < count; i++) {
      BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 20; y++) {
        for (int x = 0; x < 20; x++) {
          img.setRGB(x, y, r.nextInt(0xffffff));
        }
      }
      ImageIO.write(img, "png", folder.resolve(i + ".png").toFile());
    }
  }

  @Test
  void exportsFp16WithinOneHundredthOfFp32(@TempDir Path dir) throws Exception {
    StateDict w = RandomUNetWeights.create(CFG, 8);
    Path ckpt = dir.resolve("g.safetensors");
    SafeTensors.write(w, ckpt);
    Path onnx = dir.resolve("g16.onnx");
    assertThat(run("export", "--checkpoint", ckpt.toString(), "--out", onnx.toString(),
        "--precision", "fp16")).as(err.toString()).isZero();
    assertThat(out.toString()).contains("(fp16, ", "every layer fp16 (activation ranges not checked");
    BackendOptions cpu = BackendOptions.builder().optDevice(Device.CPU).build();
    try (OnnxGenerator a = OnnxGenerator.open(OnnxExporter.toBytes(w, CFG), "fp32", cpu);
        OnnxGenerator b = OnnxGenerator.open(onnx, cpu)) {
      assertThat(b.describe()).contains("fp16");
      Tensor in = Tensor.wrap(new float[5 * 16 * 16], 1, 5, 16, 16);
      float[] x = a.predict(in).toFloatArray();
      float[] y = b.predict(in).toFloatArray();
      double m = 0;
      for (int i = 0; i < x.length; i++) {
        m = Math.max(m, Math.abs(x[i] - y[i]));
      }
      assertThat(m).isLessThanOrEqualTo(1e-2);
    }
  }

  @Test
  void exportsFp16CalibratedAndReportsPsnr(@TempDir Path dir) throws Exception {
    SafeTensors.write(RandomUNetWeights.create(CFG, 8), dir.resolve("g.safetensors"));
    writeFaces(dir.resolve("faces/30"), 6);
    int rc = run("export", "--checkpoint", dir.resolve("g.safetensors").toString(), "--out",
        dir.resolve("g16.onnx").toString(), "--precision", "FP16", "--calibration",
        dir.resolve("faces").toString(), "--calibration-count", "3", "--target-psnr", "45");
    assertThat(rc).as(err.toString()).isZero();
    assertThat(out.toString()).contains("(fp16, ", "calibrated on 3 images",
        "fp16 vs fp32 delta PSNR on 3 held-out images", "(target 45.0 dB)", "every layer fp16");
  }

  @Test
  void precisionMistakesAreUsageErrors(@TempDir Path dir) {
    String[] common = {"export", "--checkpoint", dir.resolve("x.safetensors").toString(), "--out",
        dir.resolve("x.onnx").toString()};
    assertThat(run(concat(common, "--precision", "bf16"))).isEqualTo(2);
    assertThat(err.toString()).contains("unknown --precision 'bf16', expected fp32, fp16 or int8");
    assertThat(run(concat(common, "--precision", "fp16", "--int8"))).isEqualTo(2);
    assertThat(err.toString()).contains("--int8 conflicts with --precision fp16");
    assertThat(run(concat(common, "--precision", "fp16", "--target-psnr", "45"))).isEqualTo(2);
    assertThat(err.toString()).contains("--target-psnr with --precision fp16 needs --calibration");
    assertThat(run(concat(common, "--calibration", dir.toString()))).isEqualTo(2);
    assertThat(err.toString()).contains(
        "--calibration and --validation only apply with --int8 or --precision fp16");
    assertThat(dir.resolve("x.onnx")).doesNotExist();
  }

  @Test
  void int8WithoutCalibrationIsAUsageError(@TempDir Path dir) {
    int rc = run("export", "--checkpoint", dir.resolve("x.safetensors").toString(), "--out",
        dir.resolve("x.onnx").toString(), "--int8");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("--int8 needs --calibration DIR");
  }

  @Test
  void badCheckpointFailsWithTheMissingTensors(@TempDir Path dir) throws Exception {
    StateDict w = RandomUNetWeights.create(CFG, 8).toBuilder().remove("outc.conv.bias").build();
    Path ckpt = dir.resolve("bad.safetensors");
    SafeTensors.write(w, ckpt);
    int rc = run("export", "--checkpoint", ckpt.toString(), "--out",
        dir.resolve("x.onnx").toString());
    assertThat(rc).isNotZero();
    assertThat(err.toString()).contains("missing: outc.conv.bias[3]");
    assertThat(dir.resolve("x.onnx")).doesNotExist();
  }
}
