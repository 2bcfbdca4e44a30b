package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.NoBackendException;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.pipeline.UnsupportedImageException;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.core.DeviceUnavailableException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Produces the error messages that {@code docs/troubleshooting.md} quotes, so that the page stays
 * true: each case checks the exception type and the quoted text (file paths vary, so the checks
 * use the parts after them).
 */
class TroubleshootingMessagesTest {
  @TempDir Path tmp;

  private static void expect(Class<? extends Throwable> type, String text, ThrowingCallable c) {
    Throwable t = catchThrowable(c);
    assertThat(t).as("expected %s containing \"%s\"", type.getSimpleName(), text)
        .isInstanceOf(type)
        .hasMessageContaining(text);
  }

  /** Copies a PyTorch-made fixture under its own name (from a jar it would get a temp name). */
  private Path fixture(String name) throws IOException {
    Path target = tmp.resolve(name.substring(name.lastIndexOf('/') + 1));
    return Files.copy(InteropFixtures.file(name), target);
  }

  @Test
  void modelFiles() throws Exception {
    Path model = TinyModel.write(tmp);
    expect(NoSuchFileException.class, "missing.onnx: model file does not exist",
        () -> ReAger.load(tmp.resolve("missing.onnx")));
    Path bin = Files.writeString(tmp.resolve("model.bin"), "hello");
    expect(NoBackendException.class, "model.bin; found [onnxruntime (.onnx, .safetensors, .pth,"
        + " .pt), pure-java (.safetensors, .pth/.pt (torch.save))", () -> ReAger.load(bin));
    expect(NoBackendException.class, ". Add io.github.fran4j:fran-onnx for .onnx files; the"
        + " pure-Java backend in fran-core reads .safetensors", () -> ReAger.load(bin));
    expect(NoBackendException.class, "backend 'tensorrt' was requested for ",
        () -> ReAger.builder().setModel(model).optBackend("tensorrt").build());
    expect(NoBackendException.class, "but is not on the class path; found [onnxruntime",
        () -> ReAger.builder().setModel(model).optBackend("tensorrt").build());
    Path empty = Files.write(tmp.resolve("empty.safetensors"), new byte[0]);
    expect(ModelFormatException.class, "empty.safetensors is empty", () -> ReAger.load(empty));
    Path lfs = Files.writeString(tmp.resolve("lfs.safetensors"),
        "version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 123\n");
    expect(ModelFormatException.class, "lfs.safetensors: unknown weights format; expected a"
        + " .safetensors file or a torch.save .pth/.pt file (zip)", () -> ReAger.load(lfs));
    byte[] full = Files.readAllBytes(model);
    Path truncated = Files.write(tmp.resolve("truncated.safetensors"),
        Arrays.copyOf(full, full.length - 100));
    expect(ModelFormatException.class, "truncated.safetensors: invalid safetensors file: tensor"
        + " 'outc.conv.bias' ends at data byte", () -> ReAger.load(truncated));
    expect(ModelFormatException.class, "; the file is truncated",
        () -> SafeTensors.read(truncated));
  }

  @Test
  void wrongTensors() throws Exception {
    StateDict w = TinyModel.weights();
    StateDict.Builder b = w.toBuilder();
    b.remove("outc.conv.weight");
    b.remove("outc.conv.bias");
    Path missing = tmp.resolve("missing_tensors.safetensors");
    SafeTensors.write(b.build(), missing);
    expect(ModelFormatException.class, "weights do not match UNetConfig{",
        () -> ReAger.load(missing));
    expect(ModelFormatException.class,
        "2 missing: outc.conv.weight[3, 4, 1, 1], outc.conv.bias[3]", () -> ReAger.load(missing));
  }

  @Test
  void pytorchFiles() throws Exception {
    Path legacy = fixture("hostile/legacy.pth");
    Path osSystem = fixture("hostile/os_system.pth");
    Path wholeModule = fixture("hostile/whole_module.pth");
    Path torchScript = fixture("hostile/torchscript.pt");
    expect(ModelFormatException.class, "legacy.pth: legacy (non-zip) torch.save format, written"
        + " by PyTorch < 1.6 or with _use_new_zipfile_serialization=False; it is not supported."
        + " Re-save it with PyTorch >= 1.6",
        () -> WeightFiles.read(legacy));
    expect(ModelFormatException.class, "data.pkl: the pickle references the global 'os.system',"
        + " which is not allowed (nothing was executed)",
        () -> WeightFiles.read(osSystem));
    expect(ModelFormatException.class, "the pickle references the global '__main__.UNet'",
        () -> WeightFiles.read(wholeModule));
    expect(ModelFormatException.class, "If you trust the file, load it in Python and save only"
        + " the weights: torch.save(model.state_dict(), 'weights.pth')",
        () -> WeightFiles.read(wholeModule));
    Path onnxDir = tmp.resolve("onnx");
    ExportToOnnx.main(new String[] {TinyModel.write(tmp).toString(), onnxDir.toString()});
    expect(ModelFormatException.class, "model.onnx: an ONNX model holds a graph, not a state dict;"
        + " run it with ReAger.load (fran-onnx on the class path) or start from the"
        + " .pth/.safetensors weights", () -> WeightFiles.read(onnxDir.resolve("model.onnx")));
    expect(ModelFormatException.class, "torchscript.pt: a TorchScript archive (torch.jit.save),"
        + " not a torch.save file. Save the weights instead:"
        + " torch.save(model.state_dict(), 'model.pth')",
        () -> WeightFiles.read(torchScript));
  }

  @Test
  void devices() throws Exception {
    Path model = TinyModel.write(tmp);
    // This test class path has the CPU ONNX Runtime jar only.
    expect(DeviceUnavailableException.class, "CUDA device cuda:0 was requested but cannot be"
        + " used: this ONNX Runtime build has no CUDA execution provider (available: [CPU]); use"
        + " the GPU build: depend on io.github.fran4j:fran-onnx-gpu (or build with"
        + " -Donnxruntime.artifact=onnxruntime_gpu) instead of the CPU jar, never both",
        () -> ReAger.builder().setModel(model).optDevice(Device.cuda(0)).build());
    expect(DeviceUnavailableException.class, "the pure-java backend is CPU-only, but device cuda:0"
        + " was requested; use device 'cpu' or 'auto', or load an .onnx model with fran-onnx"
        + " (onnxruntime_gpu) for GPU inference",
        () -> ReAger.builder().setModel(model).optBackend("pure-java")
            .optDevice(Device.cuda(0)).build());
    expect(IllegalArgumentException.class,
        "unknown device 'tpu', expected auto, cpu, cuda or cuda:N", () -> Device.parse("tpu"));
  }

  @Test
  void callsAndImages() throws Exception {
    Path model = TinyModel.write(tmp);
    BufferedImage img = TinyModel.image(32, 32, 1);
    try (ReAger r = ReAger.load(model)) {
      expect(IllegalArgumentException.class,
          "targetAge must be a finite age in [0, 150] years, got 200.0",
          () -> r.reage(img, 30, 200));
      expect(IllegalArgumentException.class,
          "inputAge must be a finite age in [0, 150] years, got NaN",
          () -> r.reage(img, Double.NaN, 20));
    }
    try (ReAger r = ReAger.builder().setModel(model).optMaxPixels(500).build()) {
      expect(IllegalArgumentException.class, "image of 32x32 = 1,024 pixels exceeds the pixel"
          + " limit of 500; downscale it or raise the limit with optMaxPixels",
          () -> r.reage(img, 30, 70));
    }
    try (ReAger r = ReAger.builder().setModel(model).optFaceDetector(image -> List.of())
        .optNoFacePolicy(NoFacePolicy.THROW).build()) {
      expect(NoFaceException.class, "no face of at least 16 px found in the 32x32 image by ",
          () -> r.reage(img, 30, 70));
      expect(NoFaceException.class, "; set NoFacePolicy.RETURN_UNCHANGED to pass such images"
          + " through, or give the face box yourself", () -> r.reage(img, 30, 70));
    }
    ReAger closed = ReAger.load(model);
    closed.close();
    expect(IllegalStateException.class, "reage called on a closed ReAger", () -> closed.reage(img, 30, 70));
    expect(IllegalStateException.class,
        "set exactly one of setModel(Path), setModel(byte[], String) and setGenerator(Generator)",
        () -> ReAger.builder().build());
    Path txt = Files.writeString(tmp.resolve("photo.jpg"), "not a jpeg");
    expect(UnsupportedImageException.class, "photo.jpg: not an image format this JVM can read"
        + " (supported: ", () -> Photos.read(txt, Photos.DEFAULT_MAX_PIXELS));
    Path png = TinyModel.writePng(img, tmp.resolve("big.png"));
    expect(UnsupportedImageException.class, "big.png: 32x32 = 1,024 pixels exceeds the pixel"
        + " limit of 100; downscale it or raise the pixel limit",
        () -> Photos.read(png, 100));
  }

  @Test
  void int8Calibration() throws IOException {
    Files.createDirectories(tmp.resolve("empty"));
    expect(IOException.class, "no .jpg, .jpeg or .png images under calibration folder ",
        () -> CalibrationImages.load(tmp.resolve("empty"), 32, 4, 1));
    expect(NoSuchFileException.class,
        "nothere: calibration folder does not exist or is not a folder",
        () -> CalibrationImages.load(tmp.resolve("nothere"), 32, 4, 1));
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(16)
        .build();
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 1), cfg);
    Path ckpt = tmp.resolve("g.safetensors");
    io.github.fran4j.core.weights.SafeTensors.write(RandomUNetWeights.create(cfg, 1), ckpt);
    Path one = Files.createDirectories(tmp.resolve("one"));
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8,
        java.awt.image.BufferedImage.TYPE_INT_RGB), "png", one.resolve("a.png").toFile());
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = io.github.fran4j.examples.cli.FranCli.commandLine();
    cl.setErr(new java.io.PrintWriter(err));
    assertThat(cl.execute("export", "--checkpoint", ckpt.toString(), "--out",
        tmp.resolve("x.onnx").toString(), "--int8", "--calibration", one.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--target-psnr needs held-out images, but ")
        .contains(" has too few images to hold any out (need at least 2)");
    expect(IllegalArgumentException.class, "no quantizable activation named 'relu9' in this"
        + " model; the activations are (output side first) [up2.conv.double_conv.5, ",
        () -> Int8Quantizer.builder().optFloatActivations(List.of("relu9")).build()
            .quantize(fp32, List.of(Tensor.zeros(1, 5, 16, 16))));
  }
}
