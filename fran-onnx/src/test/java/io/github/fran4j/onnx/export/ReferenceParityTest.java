package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX Runtime vs fran-core's pure-Java {@link ReferenceUNet} on the same random weights, and vs
 * real PyTorch outputs (fran-core's fixtures, made by make_reference_fixtures.py): max abs delta
 * difference <= 1e-4 in fp32.
 */
class ReferenceParityTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @ParameterizedTest(name = "{0} blur={1}")
  @MethodSource("io.github.fran4j.onnx.export.TestModels#variants")
  void onnxMatchesReferenceUNet(Upsampling up, boolean blur) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(6).optDepth(3).optUpsampling(up)
        .optBlurPool(blur).optTrainingResolution(32).build();
    StateDict w = RandomUNetWeights.create(cfg, 99);
    ReferenceUNet ref = ReferenceUNet.create(w, cfg);
    try (OnnxGenerator g = OnnxGenerator.open(OnnxExporter.toBytes(w, cfg), "parity", CPU)) {
      // 32 is a multiple of 16; the others are not (odd, even, mixed).
      int[][] sizes = {{2, 32, 32}, {1, 21, 35}, {1, 40, 24}, {1, 17, 19}};
      for (int[] s : sizes) {
        Tensor in = TestModels.input(s[1] * 100L + s[2], s[0], 5, s[1], s[2]);
        double diff = TestModels.maxAbsDiff(g.predict(in), ref.forward(in));
        assertThat(diff).as("%s blur=%s size %sx%s", up, blur, s[1], s[2])
            .isLessThanOrEqualTo(1e-4);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transposed_d2_w4", "transposed_d3_w4_blur", "bilinear_d3_w4",
      "bilinear_d2_w4_blur", "transposed_d2_w4_f16"})
  void onnxMatchesPyTorchFixtures(String name) throws Exception {
    StateDict w = SafeTensors.read(resource(name + ".safetensors"), name);
    StateDict io = SafeTensors.read(resource(name + ".io.safetensors"), name + ".io");
    UNetConfig cfg = UNetConfig.fromStateDict(w);
    int checked = 0;
    try (OnnxGenerator g = OnnxGenerator.open(OnnxExporter.toBytes(w, cfg), name, CPU)) {
      for (Map.Entry<String, Tensor> e : io.tensors().entrySet()) {
        if (!e.getKey().startsWith("input.")) {
          continue;
        }
        String size = e.getKey().substring("input.".length());
        Tensor expected = io.get("output." + size);
        assertThat(TestModels.maxAbsDiff(g.predict(e.getValue()), expected))
            .as("%s at %s", name, size).isLessThanOrEqualTo(1e-4);
        checked++;
      }
    }
    assertThat(checked).isPositive();
  }

  private static byte[] resource(String file) throws Exception {
    try (InputStream in = ReferenceParityTest.class.getResourceAsStream(
        "/fixtures/unet/" + file)) {
      assertThat(in).as("fran-core test fixture %s", file).isNotNull();
      return in.readAllBytes();
    }
  }
}
