package io.github.fran4j.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GeneratorInputTest {

  @Test
  void planesAreRgbThenInputAgeThenTargetAgeOverHundred() {
    PlanarImage img = PlanarImage.of(new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, 2, 1);
    Tensor t = GeneratorInput.of(img, AgeMap.constant(30), AgeMap.perPixel(new float[] {70, 20}, 2, 1));
    assertThat(t.shape()).containsExactly(1, 5, 1, 2);
    assertThat(t.toFloatArray())
        .containsExactly(0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.3f, 0.3f, 0.7f, 0.2f);
  }
}
