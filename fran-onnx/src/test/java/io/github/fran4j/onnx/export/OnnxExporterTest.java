package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OnnxExporterTest {
  private static final BackendOptions CPU = BackendOptions.builder()
      .optDevice(io.github.fran4j.core.spi.Device.CPU).optThreads(1).build();

  @ParameterizedTest(name = "{0} blur={1}")
  @MethodSource("io.github.fran4j.onnx.export.TestModels#variants")
  void matchesNaiveForwardAtSeveralSizes(Upsampling up, boolean blur) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optUpsampling(up)
        .optBlurPool(blur).optTrainingResolution(16).build();
    StateDict w = RandomUNetWeights.create(cfg, 7);
    NaiveUNet naive = new NaiveUNet(w, cfg);
    try (OnnxGenerator g = OnnxGenerator.open(OnnxExporter.toBytes(w, cfg), "test", CPU)) {
      int[][] sizes = {{1, 16, 16}, {2, 13, 22}, {1, 9, 7}, {1, 20, 12}};
      for (int[] s : sizes) {
        Tensor in = TestModels.input(s[1] * 31L + s[2], s[0], 5, s[1], s[2]);
        Tensor expected = naive.forward(in);
        Tensor actual = g.predict(in);
        assertThat(actual.shape()).containsExactly(s[0], 3, s[1], s[2]);
        assertThat(TestModels.maxAbsDiff(actual, expected))
            .as("size %sx%s", s[1], s[2]).isLessThanOrEqualTo(1e-4);
      }
    }
  }

  @Test
  void zeroWeightsGiveTheOutputBiasEverywhere() throws Exception {
    // Hand-checkable: every conv weight is 0, so each pixel's delta is exactly outc.conv.bias.
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(2).optDepth(1).optTrainingResolution(8)
        .build();
    StateDict.Builder b = RandomUNetWeights.create(cfg, 1).toBuilder();
    StateDict random = b.build();
    for (String n : random.names()) {
      Tensor t = random.get(n);
      if (t.rank() == 4) {
        b.put(n, Tensor.zeros(t.shape()));
      }
    }
    b.put("outc.conv.bias", Tensor.ofFloats(new float[] {0.25f, -1.5f, 3f}, 3));
    try (OnnxGenerator g = OnnxGenerator.open(OnnxExporter.toBytes(b.build(), cfg), "t", CPU)) {
      float[] out = g.predict(TestModels.input(3, 1, 5, 5, 6)).toFloatArray();
      for (int i = 0; i < out.length; i++) {
        float expected = new float[] {0.25f, -1.5f, 3f}[i / 30];
        assertThat(out[i]).isEqualTo(expected);
      }
    }
  }

  @Test
  void provenanceOfTheWeightsReachesFp32AndInt8Models() throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(32)
        .build();
    Provenance p = Provenance.builder().setHyperparameters("{\"seed\":5}").setSeed(5)
        .setDatasetFingerprint("sha256:" + "ab".repeat(32)).optSdkVersion("1.2.3")
        .setFamily(UNetFamily.REFERENCE).build();
    byte[] fp32 = OnnxExporter.toBytes(p.addTo(RandomUNetWeights.create(cfg, 5)), cfg);
    List<Tensor> calib = List.of(TestModels.input(1, 1, 5, 32, 32),
        TestModels.input(2, 1, 5, 32, 32));
    byte[] int8 = Int8Quantizer.create().quantize(fp32, calib).bytes();
    for (byte[] model : new byte[][] {fp32, int8}) {
      Map<String, String> meta = new HashMap<>();
      OnnxMl.ModelProto.parseFrom(model).getMetadataPropsList()
          .forEach(e -> meta.put(e.getKey(), e.getValue()));
      assertThat(Provenance.fromMetadata(meta, "m.onnx")).contains(p);
    }
    // Weights without provenance (a foreign checkpoint) give a model without it.
    Map<String, String> plain = new HashMap<>();
    OnnxMl.ModelProto.parseFrom(OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 5), cfg))
        .getMetadataPropsList().forEach(e -> plain.put(e.getKey(), e.getValue()));
    assertThat(Provenance.fromMetadata(plain, "plain.onnx")).isEmpty();
  }

  @Test
  void writesTheContractAndMetadata() throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optBlurPool(true)
        .optTrainingResolution(32).build();
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(
        OnnxExporter.toBytes(RandomUNetWeights.create(cfg, 2), cfg));
    assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
    assertThat(m.getGraph().getInput(0).getName()).isEqualTo("input");
    assertThat(m.getGraph().getOutput(0).getName()).isEqualTo("delta");
    assertThat(m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList())
        .extracting(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue()))
        .containsExactly("N", "5", "H", "W");
    Map<String, String> meta = new HashMap<>();
    m.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
    assertThat(meta).containsEntry("fran.format_version", "1")
        .containsEntry("fran.training_resolution", "32")
        .containsEntry("fran.age_scale", "100")
        .containsEntry("fran.precision", "fp32");
    assertThat(UNetConfig.fromJson(meta.get(UNetConfig.METADATA_KEY))).isEqualTo(cfg);
    // BatchNorm is folded: no BatchNormalization node is left.
    assertThat(m.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getOpType)
        .doesNotContain("BatchNormalization").contains("Pad", "Shape", "ConvTranspose");
    try (OnnxGenerator g = OnnxGenerator.open(m.toByteArray(), "t", CPU)) {
      assertThat(g.config()).contains(cfg);
      assertThat(g.resolution()).isEqualTo(32);
    }
  }

  @Test
  void mismatchedWeightsListEveryProblem() {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).build();
    StateDict w = RandomUNetWeights.create(cfg, 3).toBuilder()
        .remove("inc.double_conv.1.running_var")
        .put("outc.conv.weight", Tensor.zeros(3, 5, 1, 1))
        .build();
    assertThatThrownBy(() -> OnnxExporter.toBytes(w, cfg))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("missing: inc.double_conv.1.running_var[4]")
        .hasMessageContaining("outc.conv.weight is [3, 5, 1, 1], expected [3, 4, 1, 1]");
  }

  @Test
  void writesAtomicallyAndReplaces(@TempDir Path dir) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(2).optDepth(1).optTrainingResolution(8)
        .build();
    Path out = dir.resolve("sub/model.onnx");
    OnnxExporter.export(RandomUNetWeights.create(cfg, 1), cfg, out);
    long first = Files.size(out);
    OnnxExporter.export(RandomUNetWeights.create(cfg, 2), cfg, out);
    assertThat(Files.size(out)).isEqualTo(first);
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).containsExactly(out);
    }
    try (OnnxGenerator g = OnnxGenerator.open(out, CPU)) {
      assertThat(g.inputName()).isEqualTo("input");
      assertThat(g.outputName()).isEqualTo("delta");
    }
  }
}
