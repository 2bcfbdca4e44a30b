package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** {@code ReAger.load} on PyTorch checkpoints, with fran-core alone (the pure-Java backend). */
class ReAgerPthTest {

  @Test
  void referenceCheckpointsLoadThroughReAgerAndMatchPyTorch() throws IOException {
    Tensor input = InteropFixtures.tensor(InteropFixtures.manifest().getAsJsonObject("input"));
    int checked = 0;
    for (JsonObject m : InteropFixtures.models()) {
      if (!"F32".equals(m.get("dtype").getAsString())) {
        continue;
      }
      try (ReAger reager = ReAger.load(InteropFixtures.file(m.get("file").getAsString()))) {
        assertThat(reager.describe()).contains("pure-java");
        Tensor expected = InteropFixtures.tensor(m.getAsJsonObject("output"));
        Tensor actual = reager.generator().predict(input);
        assertThat(InteropFixtures.maxAbsDiff(actual, expected))
            .as(m.get("file").getAsString())
            .isLessThanOrEqualTo(m.get("tolerance").getAsDouble());
        checked++;
      }
    }
    assertThat(checked).as("fp32 .pth fixtures").isGreaterThanOrEqualTo(4);
  }
}
