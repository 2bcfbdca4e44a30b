package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The community U-Net family through the ONNX exporter and ONNX Runtime, against PyTorch's deltas
 * (fixtures by {@code fran-core/src/test/python/make_community_fixtures.py}).
 */
class CommunityExportTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"community_w4", "community_w8_d2"})
  void exportedGraphMatchesPyTorch(String name) throws Exception {
    StateDict w = Fixtures.communityWeights(name);
    UNetConfig cfg = UNetConfig.fromStateDict(w);
    byte[] onnx = OnnxExporter.toBytes(w, cfg);
    OnnxMl.ModelProto m = OnnxMl.ModelProto.parseFrom(onnx);
    List<String> ops = m.getGraph().getNodeList().stream().map(OnnxMl.NodeProto::getOpType)
        .toList();
    assertThat(ops).contains("LeakyRelu", "Pad", "MaxPool", "ConvTranspose", "Concat")
        .doesNotContain("Relu", "BatchNormalization");
    assertThat(m.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("MaxPool"))
        .allMatch(n -> n.getAttributeList().stream().anyMatch(
            a -> a.getName().equals("strides") && a.getIntsList().equals(List.of(1L, 1L))));
    assertThat(m.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Pad"))
        .allMatch(n -> n.getAttribute(0).getS().toStringUtf8().equals("reflect"));
    // Symbolic N, H, W.
    assertThat(m.getGraph().getInput(0).getType().getTensorType().getShape().getDimList())
        .extracting(OnnxMl.TensorShapeProto.Dimension::getDimParam)
        .containsExactly("N", "", "H", "W");
    StateDict io = Fixtures.communityIo(name);
    int checked = 0;
    try (OnnxGenerator g = OnnxGenerator.open(onnx, name, CPU)) {
      assertThat(g.sizeMultiple()).isEqualTo(cfg.sizeMultiple());
      assertThat(g.config().orElseThrow().family()).isEqualTo(UNetFamily.COMMUNITY);
      for (String key : io.names()) {
        Tensor in = key.startsWith("input.") ? io.get(key) : null;
        if (in == null || in.dim(2) % cfg.sizeMultiple() != 0
            || in.dim(3) % cfg.sizeMultiple() != 0) {
          continue;
        }
        Tensor expected = io.get("output." + key.substring("input.".length()));
        assertThat(TestModels.maxAbsDiff(g.predict(in), expected)).as("%s %s", name, key)
            .isLessThan(Fixtures.UNET_TOLERANCE);
        checked++;
      }
    }
    assertThat(checked).isEqualTo(1);
  }

  /** ReAger on the exported file and on the plain .pth (exported in memory) at 72x56. */
  @Test
  void reagerOnOnnxRuntimeMatchesPyTorchAtAnOddSize(@TempDir Path dir) throws Exception {
    StateDict w = Fixtures.communityWeights("community_w4");
    Path onnx = dir.resolve("community.onnx");
    OnnxExporter.export(w, UNetConfig.fromStateDict(w), onnx);
    StateDict io = Fixtures.communityIo("community_w4");
    Tensor input = io.get("input.72x56");
    float[] expected = io.get("output.72x56").toFloatArray();
    BufferedImage img = rgbImage(input);
    for (Path model : List.of(onnx, Fixtures.communityWeightsFile("community_w4"))) {
      try (ReAger r = ReAger.builder().setModel(model).optBackend("onnxruntime").build()) {
        assertThat(r.describe()).startsWith("onnxruntime");
        float[] delta = r.predictDeltas(PlanarImage.fromBufferedImage(img), AgeMap.constant(30),
            List.of(AgeMap.constant(70))).get(0);
        double max = 0;
        for (int i = 0; i < delta.length; i++) {
          max = Math.max(max, Math.abs(delta[i] - expected[i]));
        }
        assertThat(max).as("%s", model.getFileName()).isLessThan(Fixtures.UNET_TOLERANCE);
      }
    }
  }

  @Test
  void sizesTheCommunityGraphCannotRunAreRefusedClearly() throws Exception {
    StateDict w = Fixtures.communityWeights("community_w8_d2");
    byte[] onnx = OnnxExporter.toBytes(w, UNetConfig.fromStateDict(w));
    try (OnnxGenerator g = OnnxGenerator.open(onnx, "c", CPU)) {
      assertThatThrownBy(() -> g.predict(TestModels.input(1, 1, 5, 18, 14)))
          .isInstanceOf(EngineException.class)
          .hasMessageContaining("[1, 5, 18, 14]");
    }
  }

  @Test
  void int8MeetsAPsnrTarget() throws Exception {
    StateDict w = Fixtures.communityWeights("community_w8_d2");
    byte[] fp32 = OnnxExporter.toBytes(w, UNetConfig.fromStateDict(w));
    List<Tensor> calib = new ArrayList<>();
    List<Tensor> val = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      calib.add(TestModels.input(100 + i, 1, 5, 32, 32));
    }
    for (int i = 0; i < 3; i++) {
      val.add(TestModels.input(200 + i, 1, 5, 32, 32));
    }
    QuantizedModel all = Int8Quantizer.builder().optValidation(val).build().quantize(fp32, calib);
    double base = all.validationPsnr().getAsDouble();
    OnnxMl.ModelProto q = OnnxMl.ModelProto.parseFrom(all.bytes());
    // LeakyRelu outputs carry QDQ pairs (ORT fuses them into QLinearLeakyRelu) and the weights
    // are int8.
    assertThat(q.getGraph().getNodeList()).anyMatch(n -> n.getOpType().equals("QuantizeLinear")
        && n.getInput(0).contains("lrelu"));
    assertThat(q.getGraph().getInitializerList())
        .anyMatch(t -> t.getDataType() == OnnxMl.TensorProto.DataType.INT8.getNumber());
    assertThat(base).as("all-int8 PSNR").isGreaterThan(25);
    QuantizedModel better = Int8Quantizer.builder().optValidation(val).optTargetPsnr(base + 3)
        .build().quantize(fp32, calib);
    assertThat(better.targetMet()).isTrue();
    assertThat(better.floatActivations()).isNotEmpty();
    assertThat(better.validationPsnr().getAsDouble()).isGreaterThanOrEqualTo(base + 3);
  }

  /** The RGB planes (k/255) of a fixture input as an image. */
  private static BufferedImage rgbImage(Tensor input) {
    int h = input.dim(2);
    int w = input.dim(3);
    float[] x = input.toFloatArray();
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int xx = 0; xx < w; xx++) {
        int p = y * w + xx;
        int r = Math.round(x[p] * 255);
        int g = Math.round(x[h * w + p] * 255);
        int b = Math.round(x[2 * h * w + p] * 255);
        img.setRGB(xx, y, (r << 16) | (g << 8) | b);
      }
    }
    return img;
  }
}
