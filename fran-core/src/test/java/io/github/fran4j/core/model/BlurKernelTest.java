package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlurKernelTest {
  @Test
  void depthwiseWeightsAreTheBinomialKernelOverSixteenPerChannel() {
    float[] expected = {1, 2, 1, 2, 4, 2, 1, 2, 1};
    float[] k = BlurKernel.depthwise(2);
    assertThat(k).hasSize(18);
    for (int ch = 0; ch < 2; ch++) {
      for (int i = 0; i < 9; i++) {
        assertThat(k[ch * 9 + i]).isEqualTo(expected[i] / 16f);
      }
    }
    assertThatThrownBy(() -> BlurKernel.depthwise(0)).hasMessageContaining("channels must be >= 1");
  }
}
