package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX Runtime vs fran-core's pure-Java {@link ReferenceUNet} on the same random weights, for every
 * up-sampling and blur variant at sizes that are and are not multiples of 2^depth: max abs delta
 * difference <= 1e-4 in fp32. (Against real PyTorch outputs, every backend is checked by the
 * conformance suite: {@code OnnxGeneratorConformanceTest} and {@code OnnxReAgerConformanceTest}.)
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
}
