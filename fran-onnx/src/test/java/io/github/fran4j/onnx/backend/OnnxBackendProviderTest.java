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

  @Test
  void onnxAndSafetensorsBytesOpenWithoutAFile(@TempDir Path dir) throws Exception {
    UNetConfig cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(32)
        .build();
    StateDict w = RandomUNetWeights.create(cfg, 8);
    Path onnx = dir.resolve("g.onnx");
    OnnxExporter.export(w, cfg, onnx);
    byte[] onnxBytes = java.nio.file.Files.readAllBytes(onnx);
    Path st = dir.resolve("g.safetensors");
    SafeTensors.write(w, st);
    byte[] stBytes = java.nio.file.Files.readAllBytes(st);
    OnnxBackendProvider p = new OnnxBackendProvider();
    assertThat(p.supports(onnxBytes)).isTrue();
    assertThat(p.supports(stBytes)).isTrue();
    assertThat(p.supports("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isFalse();
    java.awt.image.BufferedImage img = io.github.fran4j.core.testing.Fixtures.randomRgbImage(
        21, 19, 2);
    int[] expected;
    try (io.github.fran4j.core.ReAger r = io.github.fran4j.core.ReAger.load(onnx)) {
      expected = rgb(r.reage(img, 30, 60));
    }
    // ReAger.load picks this backend (the highest rank) from the content of the bytes.
    for (byte[] bytes : new byte[][] {onnxBytes, stBytes}) {
      try (io.github.fran4j.core.ReAger r = io.github.fran4j.core.ReAger.load(
          new java.io.ByteArrayInputStream(bytes))) {
        assertThat(r.describe()).startsWith("onnxruntime (").contains("in-memory model");
        assertThat(rgb(r.reage(img, 30, 60))).isEqualTo(expected);
      }
    }
    byte[] cut = java.util.Arrays.copyOf(onnxBytes, onnxBytes.length / 2);
    assertThatThrownBy(() -> p.open(cut, "cut.onnx", CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a valid ONNX model: cut.onnx");
  }

  private static int[] rgb(java.awt.image.BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
