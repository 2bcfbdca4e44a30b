package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX files written by {@code torch.onnx.export} from the reference U-Net (fran-core's interop
 * fixtures: one with dynamic axes and names x/y, one fixed-size with its own names) give PyTorch's
 * own outputs through the ONNX Runtime backend.
 */
class TorchOnnxExportParityTest {

  static Stream<JsonObject> exports() {
    return InteropFixtures.onnxModels().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exports")
  void torchExportMatchesPytorchOutput(JsonObject m) throws Exception {
    double tolerance = m.get("tolerance").getAsDouble();
    try (OnnxGenerator g =
        OnnxGenerator.open(
            InteropFixtures.file(m.get("file").getAsString()), BackendOptions.defaults())) {
      for (JsonElement c : m.getAsJsonArray("cases")) {
        Tensor input = InteropFixtures.tensor(c.getAsJsonObject().getAsJsonObject("input"));
        Tensor expected = InteropFixtures.tensor(c.getAsJsonObject().getAsJsonObject("output"));
        Tensor actual = g.predict(input);
        assertThat(actual.shape()).containsExactly(expected.shape());
        assertThat(InteropFixtures.maxAbsDiff(actual, expected))
            .as("%s on %s", m.get("file"), input)
            .isLessThanOrEqualTo(tolerance);
      }
    }
  }
}
