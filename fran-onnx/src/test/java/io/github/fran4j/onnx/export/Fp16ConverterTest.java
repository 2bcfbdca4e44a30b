package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnx.proto.OnnxMl;
import com.google.gson.JsonObject;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Fp16ConverterTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();
  private static final int FLOAT16 = OnnxMl.TensorProto.DataType.FLOAT16.getNumber();

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.fran4j.core.weights.pth.InteropFixtures#models")
  void fp16OfPytorchCheckpointsIsWithin1e2OfPytorchFp32(JsonObject m) throws Exception {
    StateDict weights = WeightFiles.read(InteropFixtures.file(m.get("file").getAsString()));
    UNetConfig config = UNetConfig.fromStateDict(weights);
    QuantizedModel fp16 = OnnxExporter.toFp16(weights, config, Fp16Converter.create());
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    Tensor expected = InteropFixtures.tensor(m.has("fp32_output")
        ? m.getAsJsonObject("fp32_output") : m.getAsJsonObject("output"));
    try (OnnxGenerator g = OnnxGenerator.open(fp16.bytes(), "fp16.onnx", CPU)) {
      double diff = TestModels.maxAbsDiff(g.predict(input), expected);
      assertThat(diff).isLessThanOrEqualTo(1e-2).isGreaterThan(0);
      assertThat(g.describe()).isEqualTo("onnxruntime (cpu, fp16, fp16.onnx)");
    }
  }

  @Test
  void graphHasFp16WeightsFloatEdgesAndNoBatchNorm() throws Exception {
    UNetConfig cfg = config(Upsampling.BILINEAR, true);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(
        Fp16Converter.create().convert(OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 3), cfg))
            .bytes());
    OnnxMl.GraphProto g = m.getGraph();
    assertThat(g.getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
        .doesNotContain("BatchNormalization");
    // Every conv weight is fp16; only the Resize scales (float32 by definition) stay float.
    assertThat(g.getInitializerList()).filteredOn(t -> t.getDataType() != FLOAT16
        && t.getDataType() == OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .extracting(OnnxMl.TensorProto::getName).allMatch(n -> n.endsWith(".scales"));
    assertThat(g.getInitializerList()).filteredOn(t -> t.getDataType() == FLOAT16).isNotEmpty();
    // Cast at both edges: the first node casts the float32 input, the last casts to the output.
    OnnxMl.NodeProto first = g.getNode(0);
    OnnxMl.NodeProto last = g.getNode(g.getNodeCount() - 1);
    assertThat(first.getOpType()).isEqualTo("Cast");
    assertThat(first.getInput(0)).isEqualTo(OnnxModelFormat.INPUT_NAME);
    assertThat(first.getAttribute(0).getI()).isEqualTo(FLOAT16);
    assertThat(last.getOpType()).isEqualTo("Cast");
    assertThat(last.getOutput(0)).isEqualTo(OnnxModelFormat.OUTPUT_NAME);
    assertThat(g.getInput(0).getType().getTensorType().getElemType())
        .isEqualTo(OnnxMl.TensorProto.DataType.FLOAT.getNumber());
    assertThat(metadata(m)).containsEntry(OnnxModelFormat.PRECISION_KEY, "fp16")
        .doesNotContainKey(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY)
        .containsKey(UNetConfig.METADATA_KEY);
  }

  @ParameterizedTest(name = "{0}, blur {1}")
  @MethodSource("io.github.fran4j.onnx.export.TestModels#variants")
  void fp16IsWithin1e2OfFp32OnEveryGraphVariant(Upsampling up, boolean blur) throws Exception {
    UNetConfig cfg = config(up, blur);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 11), cfg);
    byte[] fp16 = Fp16Converter.create().convert(fp32).bytes();
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", CPU);
        OnnxGenerator b = OnnxGenerator.open(fp16, "fp16", CPU)) {
      Tensor in = TestModels.input(5, 2, 5, 24, 40);
      Tensor ref = a.predict(in);
      Tensor half = b.predict(in);
      assertThat(TestModels.maxAbsDiff(ref, half)).isLessThanOrEqualTo(1e-2).isGreaterThan(0);
    }
  }

  @Test
  void layersWhoseWeightsFp16CannotHoldStayFloat32WithoutCalibration() throws Exception {
    UNetConfig cfg = config(Upsampling.TRANSPOSED, false);
    StateDict big = scaleBatchNorm(RandomUNetWeights.create(cfg, 4), 1e6f);
    QuantizedModel fp16 = Fp16Converter.create().convert(OnnxExporter.toBytes(big, cfg));
    assertThat(fp16.floatActivations()).containsExactly("down1.maxpool_conv.1.double_conv.3");
  }

  @Test
  void calibrationKeepsLayersBeyondFp16RangeInFloat32() throws Exception {
    UNetConfig cfg = config(Upsampling.TRANSPOSED, false);
    StateDict w = RandomUNetWeights.create(cfg, 4);
    // Scale one BatchNorm so that its folded weights still fit fp16 (max 3000) but the conv's
    // outputs, sums of 72 products, leave the range calibration allows.
    float[] conv = w.get(CONV3 + ".weight").toFloatArray();
    float[] gamma = w.get(BN4 + ".weight").toFloatArray();
    float[] var = w.get(BN4 + ".running_var").toFloatArray();
    int per = conv.length / gamma.length;
    double m = 0;
    for (int i = 0; i < conv.length; i++) {
      m = Math.max(m, Math.abs(conv[i] * gamma[i / per] / Math.sqrt(var[i / per] + 1e-5)));
    }
    StateDict big = scaleBatchNorm(w, (float) (3000 / m));
    byte[] fp32 = OnnxExporter.toBytes(big, cfg);
    List<Tensor> calib = inputs(100, 3);
    QuantizedModel checked = Fp16Converter.builder().optCalibration(calib).build().convert(fp32);
    QuantizedModel unchecked = Fp16Converter.create().convert(fp32);
    assertThat(unchecked.floatActivations()).isEmpty();
    assertThat(checked.floatActivations()).contains(CONV3, "down1.maxpool_conv.1.double_conv.5");
    assertThat(metadata(OnnxMl.ModelProto.parseFrom(checked.bytes())))
        .containsEntry(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY,
            String.join(",", checked.floatActivations()))
        .containsEntry(OnnxModelFormat.CALIBRATION_INPUTS_KEY, "3");
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", CPU);
        OnnxGenerator b = OnnxGenerator.open(checked.bytes(), "fp16", CPU)) {
      assertThat(b.describe()).contains("fp16 with " + checked.floatActivations().size()
          + " float activations");
      Tensor in = TestModels.input(999, 1, 5, 32, 32);
      float[] ref = a.predict(in).toFloatArray();
      double scale = 0;
      for (float v : ref) {
        scale = Math.max(scale, Math.abs(v));
      }
      assertThat(relativeError(ref, b.predict(in).toFloatArray(), scale)).isLessThan(1e-2);
    }
  }

  private static final String CONV3 = "down1.maxpool_conv.1.double_conv.3";
  private static final String BN4 = "down1.maxpool_conv.1.double_conv.4";

  private static StateDict scaleBatchNorm(StateDict w, float factor) {
    Map<String, Tensor> scaled = new LinkedHashMap<>();
    for (String k : w.names()) {
      Tensor t = w.get(k);
      if (k.equals(BN4 + ".weight") || k.equals(BN4 + ".bias")) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
          v[i] *= factor;
        }
        t = Tensor.wrap(v, t.shape());
      }
      scaled.put(k, t);
    }
    return StateDict.of(scaled);
  }

  @Test
  void targetKeepsLayersFloatOutputSideFirstAndReportsTheRealPsnr() throws Exception {
    UNetConfig cfg = config(Upsampling.TRANSPOSED, false);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    List<Tensor> val = inputs(200, 2);
    QuantizedModel plain = Fp16Converter.builder().optValidation(val).build().convert(fp32);
    assertThat(plain.floatActivations()).isEmpty();
    double base = plain.validationPsnr().getAsDouble();
    QuantizedModel exact = Fp16Converter.builder().optValidation(val).optTargetPsnr(500).build()
        .convert(fp32);
    // Only fp32 meets 500 dB: every layer goes float32, output side first, and then the
    // outputs are fp32's exactly.
    assertThat(exact.floatActivations()).startsWith(OnnxModelFormat.OUTPUT_NAME)
        .hasSameSizeAs(new Fp16Graph(OnnxMl.ModelProto.parseFrom(fp32)).layers());
    assertThat(exact.targetMet()).isTrue();
    assertThat(exact.validationPsnr().getAsDouble()).isInfinite();
    assertThat(base).isBetween(45.0, 200.0);
    // Independently recomputed.
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", CPU);
        OnnxGenerator b = OnnxGenerator.open(plain.bytes(), "fp16", CPU)) {
      List<Tensor> refs = new ArrayList<>();
      List<Tensor> outs = new ArrayList<>();
      for (Tensor t : val) {
        refs.add(a.predict(t));
        outs.add(b.predict(t));
      }
      double se = 0;
      long n = 0;
      for (int k = 0; k < refs.size(); k++) {
        float[] x = refs.get(k).toFloatArray();
        float[] y = outs.get(k).toFloatArray();
        for (int i = 0; i < x.length; i++) {
          se += (x[i] - y[i]) * (double) (x[i] - y[i]);
        }
        n += x.length;
      }
      double psnr = 10 * Math.log10(n / se);
      assertThat(psnr).isCloseTo(base, org.assertj.core.data.Offset.offset(0.01));
    }
  }

  @Test
  void psnrOnHeldOutFaceImagesIsAtLeast45Db() throws Exception {
    Path seed = Path.of(System.getProperty("fran.shared.dir", "../shared"), "seed-data");
    assumeTrue(Files.isDirectory(seed), "seed data absent at " + seed + "; skipping");
    List<Tensor> images = CalibrationImages.load(seed, 64, 8, 3);
    for (JsonObject m : InteropFixtures.models()) {
      StateDict weights = WeightFiles.read(InteropFixtures.file(m.get("file").getAsString()));
      UNetConfig config = UNetConfig.fromStateDict(weights);
      QuantizedModel fp16 = Fp16Converter.builder().optCalibration(images.subList(0, 4))
          .optValidation(images.subList(4, 8)).build()
          .convert(OnnxExporter.toBytes(weights, config));
      assertThat(fp16.validationPsnr().getAsDouble()).as(m.get("file").getAsString())
          .isGreaterThanOrEqualTo(45);
    }
  }

  @Test
  void badInputsGetSpecificErrors() throws Exception {
    UNetConfig cfg = config(Upsampling.TRANSPOSED, false);
    byte[] fp32 = OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg);
    assertThatThrownBy(() -> Fp16Converter.create().convert(new byte[] {1, 2, 3}))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("not an ONNX model");
    byte[] fp16 = Fp16Converter.create().convert(fp32).bytes();
    assertThatThrownBy(() -> Fp16Converter.create().convert(fp16))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("precision is 'fp16'; fp16 conversion needs the fp32 export");
    assertThatThrownBy(() -> Fp16Converter.builder().optFloatLayers(List.of("nope")).build()
        .convert(fp32)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no layer named 'nope'").hasMessageContaining("inc.double_conv.0");
    assertThatThrownBy(() -> Fp16Converter.builder().optTargetPsnr(45).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("optValidation");
    assertThatThrownBy(() -> Fp16Converter.builder().optTargetPsnr(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
    assertThatThrownBy(() -> Fp16Converter.builder()
        .optCalibration(List.of(TestModels.input(1, 1, 4, 32, 32))).build().convert(fp32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calibration input 0 has shape [1, 4, 32, 32]");
  }

  private static double relativeError(float[] ref, float[] test, double scale) {
    double m = 0;
    for (int i = 0; i < ref.length; i++) {
      double d = Math.abs(ref[i] - test[i]);
      m = Math.max(m, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
    }
    return m / scale;
  }

  private static Map<String, String> metadata(OnnxMl.ModelProto m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.getMetadataPropsList().forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  private static UNetConfig config(Upsampling up, boolean blur) {
    return UNetConfig.builder().optBaseWidth(8).optDepth(2).optUpsampling(up).optBlurPool(blur)
        .optTrainingResolution(32).build();
  }

  private static List<Tensor> inputs(long seed, int count) {
    List<Tensor> l = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      l.add(TestModels.input(seed + i, 1, 5, 32, 32));
    }
    return l;
  }
}
