package io.github.fran4j.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void shapesAreChecked() {
    assertThatThrownBy(() -> Tensor.ofFloats(new float[5], 2, 3))
        .hasMessageContaining("shape [2, 3] holds 6 elements but 5 values were given");
    assertThat(Tensor.ofFloats(DType.F16, new float[] {1f / 3}, 1).getFloat(0))
        .isEqualTo(0.333251953125f);
    assertThat(Tensor.ofLongs(new long[] {7}).rank()).isZero();
  }
}
