package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Int8QuantizerTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @Test
  void quantizedModelIsQdqAndCloseToFp32() throws Exception {
    for (int variant = 0; variant < 3; variant++) {
      Upsampling up = variant < 2 ? Upsampling.TRANSPOSED : Upsampling.BILINEAR;
      boolean blur = variant > 0;
      UNetConfig cfg = UNetConfig.builder().optBaseWidth(8).optDepth(2).optUpsampling(up)
          .optBlurPool(blur).optTrainingResolution(32).build();
      byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
      List<Tensor> calib = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calib.add(TestModels.input(100 + i, 1, 5, 32, 32));
      }
      QuantizedModel result = Int8Quantizer.create().quantize(fp32, calib);
      assertThat(result.floatActivations()).isEmpty();
      assertThat(result.validationPsnr()).isEmpty();
      assertThat(result.calibrationInputs()).isEqualTo(8);
      byte[] int8 = result.bytes();
      OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(int8);
      assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
          .contains("QuantizeLinear", "DequantizeLinear")
          // ONNX Runtime runs a QDQ ConvTranspose in float: it must have become Conv+DepthToSpace.
          .doesNotContain("ConvTranspose");
      if (up == Upsampling.TRANSPOSED) {
        assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
            .contains("DepthToSpace");
      }
      assertThat(m.getGraph().getInitializerList())
          .filteredOn(t -> t.getDataType() == OnnxMl.TensorProto.DataType.INT8.getNumber())
          .isNotEmpty();
      assertThat(m.getMetadataPropsList()).anyMatch(
          e -> e.getKey().equals(OnnxModelFormat.PRECISION_KEY) && e.getValue().equals("int8-qdq"));
      try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", CPU);
          OnnxGenerator b = OnnxGenerator.open(int8, "int8", CPU)) {
        // Held-out input, a size that is not the calibration size.
        Tensor in = TestModels.input(999, 1, 5, 24, 40);
        Tensor ref = a.predict(in);
        Tensor q = b.predict(in);
        double psnr = Int8Quantizer.psnr(ref, q);
        double range = 0;
        for (float v : ref.toFloatArray()) {
          range = Math.max(range, Math.abs(v));
        }
        // Random weights give deltas of about +-range; int8 noise is ~1% of that.
        assertThat(psnr).as("%s, blur %s: PSNR (output range %s)", up, blur, range)
            .isGreaterThan(20 * Math.log10(1 / range) + 30);
        assertThat(TestModels.maxAbsDiff(ref, q)).isGreaterThan(0);
      }
    }
  }

  @Test
  void percentileOutsideItsRangeIsRejected() {
    assertThatThrownBy(() -> Int8Quantizer.builder().optPercentile(40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("percentile must be in (50, 100], got 40.0");
  }

  @Test
  void notAnOnnxModelIsRejected() {
    assertThatThrownBy(() -> Int8Quantizer.create().quantize(new byte[] {1, 2, 3},
        List.of(TestModels.input(1, 1, 5, 32, 32))))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not an ONNX model");
  }

  @Test
  void inputsOfTheWrongShapeAreRejectedBeforeOnnxRuntimeRuns() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    assertThatThrownBy(() -> Int8Quantizer.create().quantize(fp32,
        List.of(TestModels.input(1, 1, 5, 32, 32), TestModels.input(2, 1, 4, 32, 32))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("calibration input 1 has shape [1, 4, 32, 32]; expected [N, 5, H, W]"
            + " (RGB, input age / 100, target age / 100)");
    assertThatThrownBy(() -> Int8Quantizer.builder()
        .optValidation(List.of(Tensor.zeros(5, 32, 32))).build()
        .quantize(fp32, inputs(1, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("validation input 0 has shape [5, 32, 32]");
  }

  @Test
  void targetWithoutValidationIsRejected() {
    assertThatThrownBy(() -> Int8Quantizer.builder().optTargetPsnr(40).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("a PSNR target needs validation inputs");
  }

  @Test
  void unknownFloatActivationIsRejectedWithTheNames() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    assertThatThrownBy(() -> Int8Quantizer.builder().optFloatActivations(List.of("up9.relu"))
        .build().quantize(fp32, inputs(100, 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no quantizable activation named 'up9.relu'")
        .hasMessageContaining("up2.conv.double_conv.5");
  }

  @Test
  void floatActivationKeepsItsReaderFloatAndIsRecorded() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    QuantizedModel q = Int8Quantizer.builder()
        .optFloatActivations(List.of("up2.conv.double_conv.5")).build()
        .quantize(fp32, inputs(100, 4));
    assertThat(q.floatActivations()).containsExactly("up2.conv.double_conv.5");
    try (OnnxGenerator g = OnnxGenerator.open(q.bytes(), "mixed.onnx", CPU)) {
      assertThat(g.describe()).isEqualTo(
          "onnxruntime (cpu, int8-qdq with 1 float activations, mixed.onnx)");
    }
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(q.bytes());
    // The final 1x1 conv reads the float activation: its weight stays a float initializer ...
    assertThat(m.getGraph().getInitializerList())
        .filteredOn(t -> t.getName().equals("outc.conv.weight"))
        .singleElement()
        .satisfies(t -> assertThat(t.getDataType())
            .isEqualTo(OnnxMl.TensorProto.DataType.FLOAT.getNumber()));
    // ... the activation has no QuantizeLinear, and the one before it still has.
    assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getName)
        .doesNotContain("up2.conv.double_conv.5.q")
        .contains("up2.conv.double_conv.2.q");
    assertThat(m.getMetadataPropsList()).anyMatch(
        e -> e.getKey().equals(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY)
            && e.getValue().equals("up2.conv.double_conv.5"));
  }

  @Test
  void targetKeepsActivationsFloatOutputSideFirstUntilMet() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    List<Tensor> calib = inputs(100, 6);
    List<Tensor> val = inputs(200, 3);
    QuantizedModel all = Int8Quantizer.builder().optValidation(val).build().quantize(fp32, calib);
    double base = all.validationPsnr().getAsDouble();
    assertThat(all.floatActivations()).isEmpty();

    // A target just above the all-int8 PSNR: some activations go float, and the result meets it.
    QuantizedModel better = Int8Quantizer.builder().optValidation(val).optTargetPsnr(base + 3)
        .build().quantize(fp32, calib);
    assertThat(better.floatActivations()).isNotEmpty().startsWith("up2.conv.double_conv.5");
    assertThat(better.targetMet()).isTrue();
    assertThat(better.validationPsnr().getAsDouble()).isGreaterThanOrEqualTo(base + 3);
    // The reported PSNR is the real one: recompute it independently.
    BackendOptions cpu = BackendOptions.builder().optDevice(Device.CPU).build();
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", cpu);
        OnnxGenerator b = OnnxGenerator.open(better.bytes(), "int8", cpu)) {
      double se = 0;
      long n = 0;
      for (Tensor t : val) {
        float[] x = a.predict(t).toFloatArray();
        float[] y = b.predict(t).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          se += (x[i] - y[i]) * (double) (x[i] - y[i]);
        }
        n += x.length;
      }
      assertThat(10 * Math.log10(n / se))
          .isCloseTo(better.validationPsnr().getAsDouble(), org.assertj.core.data.Offset.offset(0.01));
    }

    // A target only fp32 meets floats every activation, the graph input last, and then every
    // weight stays float too: the outputs are fp32's.
    QuantizedModel exact = Int8Quantizer.builder().optValidation(val).optTargetPsnr(500)
        .build().quantize(fp32, calib);
    assertThat(exact.floatActivations()).contains("inc.double_conv.2").endsWith("input");
    assertThat(exact.validationPsnr().getAsDouble()).isGreaterThan(100);
    assertThat(OnnxMl.ModelProto.parseFrom(exact.bytes()).getGraph().getInitializerList())
        .noneMatch(t -> t.getDataType() == OnnxMl.TensorProto.DataType.INT8.getNumber());
  }

  @Test
  void upSamplingBranchSharesTheConcatScaleAndTheSkipKeepsItsOwn() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    OnnxMl.GraphProto g = OnnxMl.ModelProto.parseFrom(
        Int8Quantizer.create().quantize(fp32, inputs(100, 4)).bytes()).getGraph();
    float cat = scaleOf(g, "up1.cat");
    // Same scale along the branch: requantizing between them is exact.
    assertThat(scaleOf(g, "up1.up")).isEqualTo(cat);
    assertThat(scaleOf(g, "up1.up.s2d")).isEqualTo(cat);
    // up1's skip (down1's last ReLU at depth 2) keeps its own, finer range for the encoder.
    assertThat(scaleOf(g, "down1.maxpool_conv.1.double_conv.5")).isNotEqualTo(cat);
  }

  /** The scale of the QuantizeLinear on {@code tensor}. */
  private static float scaleOf(OnnxMl.GraphProto g, String tensor) {
    String scaleName = g.getNodeList().stream()
        .filter(n -> n.getOpType().equals("QuantizeLinear") && n.getInput(0).equals(tensor))
        .findFirst().orElseThrow(() -> new AssertionError("no QuantizeLinear on " + tensor))
        .getInput(1);
    OnnxMl.TensorProto t = g.getInitializerList().stream()
        .filter(i -> i.getName().equals(scaleName)).findFirst().orElseThrow();
    return OnnxGraph.floatData(t)[0];
  }

  @Test
  void strideTwoUpsamplingRewriteIsExact() throws Exception {
    UNetConfig cfg = smallConfig(Upsampling.TRANSPOSED);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 9), cfg);
    OnnxMl.ModelProto rewritten =
        StrideTwoUpsampling.rewrite(OnnxMl.ModelProto.parseFrom(fp32));
    assertThat(rewritten.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
        .doesNotContain("ConvTranspose").contains("DepthToSpace");
    // The old weights are gone, not left behind unused.
    assertThat(rewritten.getGraph().getInitializerList()).extracting(OnnxMl.TensorProto::getName)
        .doesNotContain("up1.up.weight").contains("up1.up.weight.as_conv1x1");
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "convtranspose", CPU);
        OnnxGenerator b = OnnxGenerator.open(rewritten.toByteArray(), "depth-to-space", CPU)) {
      for (int[] hw : new int[][] {{32, 32}, {24, 40}, {19, 27}}) {
        Tensor in = TestModels.input(hw[0] * 100 + hw[1], 2, 5, hw[0], hw[1]);
        assertThat(TestModels.maxAbsDiff(a.predict(in), b.predict(in)))
            .as("%sx%s", hw[0], hw[1]).isLessThan(1e-5);
      }
    }
  }

  private static UNetConfig smallConfig(Upsampling up) {
    return UNetConfig.builder().optBaseWidth(8).optDepth(2).optUpsampling(up)
        .optTrainingResolution(32).build();
  }

  private static List<Tensor> inputs(long seed, int count) {
    List<Tensor> l = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      l.add(TestModels.input(seed + i, 1, 5, 32, 32));
    }
    return l;
  }

  @Test
  void psnrMatchesHandComputedValue() {
    Tensor a = Tensor.ofFloats(new float[] {0, 0, 0, 0}, 1, 1, 2, 2);
    Tensor b = Tensor.ofFloats(new float[] {0.1f, 0, 0, 0}, 1, 1, 2, 2);
    // MSE = 0.01 / 4 = 0.0025 -> 10 log10(400) = 26.0206 dB
    assertThat(Int8Quantizer.psnr(a, b)).isCloseTo(26.0206, org.assertj.core.data.Offset.offset(1e-3));
    assertThat(Int8Quantizer.psnr(a, a)).isInfinite();
  }

  @Test
  void calibrationImagesTakeTheAgeFromTheFolderName(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("train/40/0001.png");
    Files.createDirectories(f.getParent());
    BufferedImage img = new BufferedImage(6, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 6; x++) {
        img.setRGB(x, y, 0xff8000);
      }
    }
    ImageIO.write(img, "png", f.toFile());
    List<Tensor> in = CalibrationImages.load(dir, 4, 10, 1);
    assertThat(in).hasSize(1);
    float[] v = in.get(0).toFloatArray();
    assertThat(in.get(0).shape()).containsExactly(1, 5, 4, 4);
    assertThat(v[0]).isEqualTo(1f);
    assertThat(v[16]).isEqualTo(128 / 255f);
    assertThat(v[32]).isEqualTo(0f);
    assertThat(v[48]).isEqualTo(0.4f);
    assertThat(v[64]).isBetween(0.1f, 0.85f);
  }

  @Test
  void calibrationFolderProblemsAreClear(@TempDir Path dir) {
    assertThatThrownBy(() -> CalibrationImages.load(dir.resolve("nope"), 8, 4, 1))
        .hasMessageContaining("calibration folder does not exist");
    assertThatThrownBy(() -> CalibrationImages.load(dir, 8, 4, 1))
        .hasMessageContaining("no .jpg, .jpeg or .png images under calibration folder");
  }

  @Test
  void seedDataCalibrates() throws Exception {
    Path seed = Path.of(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    assumeTrue(Files.isDirectory(seed), "seed data absent at " + seed + "; skipping");
    List<Tensor> in = CalibrationImages.load(seed, 32, 6, 1);
    assertThat(in).hasSize(6);
    float age = in.get(0).toFloatArray()[3 * 32 * 32];
    assertThat(age).isIn(0.10f, 0.15f, 0.20f);
  }
}
