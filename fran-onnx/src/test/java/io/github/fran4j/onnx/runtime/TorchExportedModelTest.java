package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.backend.OnnxBackendProvider;
import io.github.fran4j.onnx.export.TestModels;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models written by real {@code torch.onnx.export} (src/test/python/make_foreign_onnx.py). */
class TorchExportedModelTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();

  @Test
  void torchModelWithNamesXandYRunsAndMatchesTorch(@TempDir Path dir) throws Exception {
    Path model = copy("torch_xy.onnx", dir);
    StateDict io = SafeTensors.read(resource("torch_xy.io.safetensors"), "torch_xy.io");
    try (Generator g = new OnnxBackendProvider().open(model, CPU)) {
      assertThat(((OnnxGenerator) g).inputName()).isEqualTo("x");
      assertThat(((OnnxGenerator) g).outputName()).isEqualTo("y");
      assertThat(g.config()).isEmpty();
      assertThat(TestModels.maxAbsDiff(g.predict(io.get("input")), io.get("output")))
          .isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void torchModelWithThreeInputChannelsIsRejected(@TempDir Path dir) throws Exception {
    Path model = copy("torch_rgb.onnx", dir);
    assertThatThrownBy(() -> new OnnxBackendProvider().open(model, CPU))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("input 'x'")
        .hasMessageContaining("3 channels")
        .hasMessageContaining("expected float [N, 5, H, W]");
  }

  private static Path copy(String name, Path dir) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, resource(name));
    return p;
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = TorchExportedModelTest.class.getResourceAsStream(
        "/fixtures/onnx/" + name)) {
      assertThat(in).as(name).isNotNull();
      return in.readAllBytes();
    }
  }
}
