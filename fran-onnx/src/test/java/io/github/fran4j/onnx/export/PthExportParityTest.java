package io.github.fran4j.onnx.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.onnx.backend.OnnxBackendProvider;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * PyTorch checkpoints ({@code .pth}: bare, checkpoint dict with {@code module.} names, strided
 * views, fp16, bf16) read in Java, exported by {@link OnnxExporter} and run by ONNX Runtime give
 * PyTorch's own output for the same input: what {@code fran export --checkpoint x.pth} produces.
 */
class PthExportParityTest {


  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.fran4j.core.weights.pth.InteropFixtures#models")
  void exportedCheckpointMatchesPytorch(JsonObject m) throws Exception {
    StateDict weights = WeightFiles.read(InteropFixtures.file(m.get("file").getAsString()));
    UNetConfig config = UNetConfig.fromStateDict(weights);
    byte[] onnx = OnnxExporter.toBytes(weights, config);
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    Tensor expected = InteropFixtures.tensor(m.getAsJsonObject("output"));
    try (OnnxGenerator g =
        OnnxGenerator.open(onnx, m.get("file").getAsString(), BackendOptions.defaults())) {
      Tensor actual = g.predict(input);
      assertThat(InteropFixtures.maxAbsDiff(actual, expected))
          .isLessThanOrEqualTo(m.get("tolerance").getAsDouble());
      if (m.has("fp32_output")) {
        // Against the original float32 model, rounding the weights costs more: documented loose
        // tolerances of 5e-3 (fp16) and 2e-2 (bf16), for outputs spanning about [-1.2, 1.2].
        Tensor fp32 = InteropFixtures.tensor(m.getAsJsonObject("fp32_output"));
        double loose = m.get("dtype").getAsString().equals("F16") ? 5e-3 : 2e-2;
        assertThat(InteropFixtures.maxAbsDiff(actual, fp32)).isLessThanOrEqualTo(loose);
      }
    }
  }

  @Test
  void backendProviderOpensPthCheckpointsAsReAgerLoadDoes(@TempDir Path dir) throws Exception {
    // The reference's checkpoint dict, saved under the reference's kind of name.
    Path ckpt = Files.copy(InteropFixtures.file("unet_t_w4_d2_checkpoint.pth"),
        dir.resolve("UNet_epoch90.pth"));
    Path pt = Files.copy(InteropFixtures.file("unet_b_w4_d3.pth"), dir.resolve("model.pt"));
    OnnxBackendProvider p = new OnnxBackendProvider();
    assertThat(p.supports(ckpt)).isTrue();
    assertThat(p.supports(pt)).isTrue();
    assertThat(p.formats()).contains(".pth");
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    for (Path f : new Path[] {ckpt, pt}) {
      String expectedFile = f == ckpt ? "unet_t_w4_d2.out.f32" : "unet_b_w4_d3.out.f32";
      JsonObject ref = new JsonObject();
      ref.addProperty("file", expectedFile);
      ref.add("shape", InteropFixtures.models().get(0).getAsJsonObject("output").get("shape"));
      try (Generator g = p.open(f, BackendOptions.defaults())) {
        assertThat(g.describe()).contains(f.getFileName().toString());
        assertThat(InteropFixtures.maxAbsDiff(g.predict(input), InteropFixtures.tensor(ref)))
            .isLessThanOrEqualTo(1e-4);
      }
    }
  }
}
