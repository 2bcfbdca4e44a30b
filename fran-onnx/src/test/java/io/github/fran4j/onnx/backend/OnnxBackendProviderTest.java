package io.github.fran4j.onnx.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.export.TestModels;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxBackendProviderTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @Test
  void safetensorsCheckpointGivesTheSameOutputAsItsOnnxExport(@TempDir Path dir) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2)
        .optUpsampling(Upsampling.BILINEAR).optBlurPool(true).optTrainingResolution(32).build();
    StateDict w = RandomUNetWeights.create(cfg, 21);
    Path ckpt = dir.resolve("g.safetensors");
    SafeTensors.write(w, ckpt);
    Path onnx = dir.resolve("g.onnx");
    OnnxExporter.export(w, cfg, onnx);
    OnnxBackendProvider p = new OnnxBackendProvider();
    assertThat(p.supports(ckpt)).isTrue();
    Tensor in = TestModels.input(4, 1, 5, 20, 18);
    try (Generator a = p.open(ckpt, CPU); Generator b = p.open(onnx, CPU)) {
      assertThat(a.config()).contains(cfg);
      assertThat(a.resolution()).isEqualTo(32);
      assertThat(a.describe()).contains("g.safetensors");
      assertThat(a.predict(in)).isEqualTo(b.predict(in));
    }
  }

  @Test
  void checkpointWithMissingAndMisshapedTensorsListsThem(@TempDir Path dir) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).build();
    StateDict w = RandomUNetWeights.create(cfg, 3).toBuilder()
        .remove("up2.conv.double_conv.3.weight")
        .put("down1.maxpool_conv.1.double_conv.4.bias", Tensor.zeros(7))
        .build();
    Path ckpt = dir.resolve("bad.safetensors");
    SafeTensors.write(w, ckpt);
    assertThatThrownBy(() -> new OnnxBackendProvider().open(ckpt, CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("missing: up2.conv.double_conv.3.weight[4, 4, 3, 3]")
        .hasMessageContaining("down1.maxpool_conv.1.double_conv.4.bias is [7], expected [8]");
  }
}
