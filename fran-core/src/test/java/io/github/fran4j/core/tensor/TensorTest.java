package io.github.fran4j.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class TensorTest {

  @Test
  void halfPrecisionMatchesHandComputedBits() {
    assertThat(DType.floatToHalf(1f)).isEqualTo((short) 0x3C00);
    assertThat(DType.floatToHalf(-2f)).isEqualTo((short) 0xC000);
    assertThat(DType.floatToHalf(65504f)).isEqualTo((short) 0x7BFF);
    assertThat(DType.floatToHalf(65520f)).isEqualTo((short) 0x7C00); // rounds to +Inf
    assertThat(DType.floatToHalf(1f / 3)).isEqualTo((short) 0x3555);
    assertThat(DType.floatToHalf(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(DType.floatToHalf(0x1p-25f)).isEqualTo((short) 0x0000); // ties to even: 0
    assertThat(DType.floatToHalf(Float.NaN) & 0x7C00).isEqualTo(0x7C00);
    assertThat(DType.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(DType.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(DType.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void bfloat16RoundsToNearestEven() {
    assertThat(DType.floatToBfloat16(1f)).isEqualTo((short) 0x3F80);
    assertThat(DType.floatToBfloat16(1f / 3)).isEqualTo((short) 0x3EAB);
    // 1 + 2^-8 is exactly between two bfloat16 values: ties to even (1.0).
    assertThat(DType.floatToBfloat16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    assertThat(DType.bfloat16ToFloat((short) 0x3EAB)).isEqualTo(0.333984375f);
  }

  @Property(tries = 500)
  void halfRoundTripOfRepresentableValuesIsExact(@ForAll short bits) {
    float v = DType.halfToFloat(bits);
    if (!Float.isNaN(v)) {
      assertThat(DType.floatToHalf(v)).isEqualTo(bits);
    }
  }

  @Test
  void shapesAreChecked() {
    assertThatThrownBy(() -> Tensor.ofFloats(new float[5], 2, 3))
        .hasMessageContaining("shape [2, 3] holds 6 elements but 5 values were given");
    assertThat(Tensor.ofFloats(DType.F16, new float[] {1f / 3}, 1).getFloat(0))
        .isEqualTo(0.333251953125f);
    assertThat(Tensor.ofLongs(new long[] {7}).rank()).isZero();
  }
}
