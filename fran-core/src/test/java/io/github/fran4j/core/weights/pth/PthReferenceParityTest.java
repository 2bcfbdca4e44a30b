package io.github.fran4j.core.weights.pth;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every PyTorch-made {@code .pth} fixture (bare, checkpoint dict with {@code module.} names, strided
 * views, fp16, bf16; transposed and bilinear) read by {@link PthReader} and run by the pure-Java
 * {@link ReferenceUNet} gives PyTorch's own delta for the same input.
 */
class PthReferenceParityTest {


  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.fran4j.core.weights.pth.InteropFixtures#models")
  void pureJavaForwardMatchesPytorch(JsonObject m) throws Exception {
    StateDict weights = PthReader.read(InteropFixtures.file(m.get("file").getAsString()));
    ReferenceUNet net = ReferenceUNet.create(weights);
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    Tensor actual = net.forward(input);
    // fp32 weights: 1e-4; fp16/bf16 weights: the same 1e-4 against PyTorch running the rounded
    // weights in float32, which is what the Java forward pass computes.
    Tensor expected = InteropFixtures.tensor(m.getAsJsonObject("output"));
    assertThat(InteropFixtures.maxAbsDiff(actual, expected))
        .isLessThanOrEqualTo(m.get("tolerance").getAsDouble());
    if (m.has("fp32_output")) {
      // Against the original float32 model: documented loose tolerances 5e-3 (fp16), 2e-2 (bf16).
      Tensor fp32 = InteropFixtures.tensor(m.getAsJsonObject("fp32_output"));
      double loose = m.get("dtype").getAsString().equals("F16") ? 5e-3 : 2e-2;
      assertThat(InteropFixtures.maxAbsDiff(actual, fp32)).isLessThanOrEqualTo(loose);
    }
  }
}
