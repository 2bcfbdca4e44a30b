package io.github.fran4j.core.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** {@link DTypeCodec} against bit patterns worked out by hand from IEEE 754 and bfloat16. */
class DTypeCodecTest {

  @Test
  void halfMatchesHandComputedBits() {
    assertThat(DTypeCodec.floatToHalf(1f)).isEqualTo((short) 0x3C00);
    assertThat(DTypeCodec.floatToHalf(-2f)).isEqualTo((short) 0xC000);
    assertThat(DTypeCodec.floatToHalf(0.1f)).isEqualTo((short) 0x2E66);
    assertThat(DTypeCodec.floatToHalf(1f / 3)).isEqualTo((short) 0x3555);
    assertThat(DTypeCodec.floatToHalf(-0f)).isEqualTo((short) 0x8000);
    // Largest finite half; 65520 lies halfway to 65536: ties to even round up to +Inf.
    assertThat(DTypeCodec.floatToHalf(65504f)).isEqualTo((short) 0x7BFF);
    assertThat(DTypeCodec.floatToHalf(65519f)).isEqualTo((short) 0x7BFF);
    assertThat(DTypeCodec.floatToHalf(65520f)).isEqualTo((short) 0x7C00);
    // 1 + 2^-11 is halfway between 1 and 1 + 2^-10: ties to even stay at 1.
    assertThat(DTypeCodec.floatToHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3C00);
    assertThat(DTypeCodec.floatToHalf(1f + 0x1p-11f + 0x1p-20f)).isEqualTo((short) 0x3C01);
    assertThat(DTypeCodec.halfToFloat((short) 0x3555)).isEqualTo(0.333251953125f);
    assertThat(DTypeCodec.halfToFloat((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(DTypeCodec.halfToFloat((short) 0xC000)).isEqualTo(-2f);
  }

  @Test
  void halfSubnormalsInfinitiesAndNan() {
    // Smallest subnormal 2^-24; half of it ties to (even) zero; 3 * 2^-25 ties up to 2 * 2^-24.
    assertThat(DTypeCodec.floatToHalf(0x1p-24f)).isEqualTo((short) 0x0001);
    assertThat(DTypeCodec.floatToHalf(0x1p-25f)).isEqualTo((short) 0x0000);
    assertThat(DTypeCodec.floatToHalf(3 * 0x1p-25f)).isEqualTo((short) 0x0002);
    // Largest subnormal (1023 * 2^-24) and smallest normal (2^-14).
    assertThat(DTypeCodec.floatToHalf(1023 * 0x1p-24f)).isEqualTo((short) 0x03FF);
    assertThat(DTypeCodec.floatToHalf(0x1p-14f)).isEqualTo((short) 0x0400);
    assertThat(DTypeCodec.halfToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(DTypeCodec.halfToFloat((short) 0x83FF)).isEqualTo(-1023 * 0x1p-24f);
    assertThat(DTypeCodec.halfToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
    // Float subnormals are far below half's range: they flush to a signed zero.
    assertThat(DTypeCodec.floatToHalf(-Float.MIN_VALUE)).isEqualTo((short) 0x8000);
    assertThat(DTypeCodec.floatToHalf(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7C00);
    assertThat(DTypeCodec.floatToHalf(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
    assertThat(DTypeCodec.floatToHalf(1e6f)).isEqualTo((short) 0x7C00);
    assertThat(DTypeCodec.halfToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(DTypeCodec.halfToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
    // NaN keeps a quiet NaN pattern (exponent all ones, mantissa not zero) both ways.
    short nan = DTypeCodec.floatToHalf(Float.NaN);
    assertThat(nan & 0x7C00).isEqualTo(0x7C00);
    assertThat(nan & 0x03FF).isNotZero();
    assertThat(DTypeCodec.halfToFloat((short) 0x7E00)).isNaN();
    assertThat(DTypeCodec.halfToFloat((short) 0x7C01)).isNaN();
  }

  @Test
  void bfloat16MatchesHandComputedBits() {
    assertThat(DTypeCodec.floatToBfloat16(1f)).isEqualTo((short) 0x3F80);
    assertThat(DTypeCodec.floatToBfloat16(-2f)).isEqualTo((short) 0xC000);
    assertThat(DTypeCodec.floatToBfloat16(1f / 3)).isEqualTo((short) 0x3EAB);
    // 1 + 2^-8 is exactly between two bfloat16 values: ties to even (1.0); 1 + 3 * 2^-8 goes up.
    assertThat(DTypeCodec.floatToBfloat16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    assertThat(DTypeCodec.floatToBfloat16(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82);
    assertThat(DTypeCodec.bfloat16ToFloat((short) 0x3EAB)).isEqualTo(0.333984375f);
    // bfloat16 keeps float's exponent, so float subnormals survive: 2^-133 is 0x0001.
    assertThat(DTypeCodec.floatToBfloat16(0x1p-133f)).isEqualTo((short) 0x0001);
    assertThat(DTypeCodec.bfloat16ToFloat((short) 0x0001)).isEqualTo(0x1p-133f);
    assertThat(DTypeCodec.bfloat16ToFloat((short) 0x807F)).isEqualTo(-127 * 0x1p-133f);
    // The largest float rounds up past bfloat16's largest finite value (0x7F7F) to +Inf.
    assertThat(DTypeCodec.floatToBfloat16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
    assertThat(DTypeCodec.floatToBfloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
    assertThat(DTypeCodec.bfloat16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
    // A NaN whose payload sits only in the low 16 bits must not truncate to infinity.
    short nan = DTypeCodec.floatToBfloat16(Float.intBitsToFloat(0x7F800001));
    assertThat(nan & 0x7F80).isEqualTo(0x7F80);
    assertThat(nan & 0x007F).isNotZero();
    assertThat(DTypeCodec.bfloat16ToFloat((short) 0x7FC0)).isNaN();
  }

  @Test
  void buffersDecodeEachDtypeFromItsLittleEndianBytes() {
    // 1.5f = 0x3FC00000, half 1.5 = 0x3E00, bfloat16 -1.5 = 0xBFC0 (little-endian on disk).
    assertThat(decodeAll(DType.F32, 0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x80, 0xFF))
        .containsExactly(1.5f, Float.NEGATIVE_INFINITY);
    assertThat(decodeAll(DType.F16, 0x00, 0x3E, 0x01, 0x00, 0x00, 0xFC))
        .containsExactly(1.5f, 0x1p-24f, Float.NEGATIVE_INFINITY);
    assertThat(decodeAll(DType.BF16, 0xC0, 0xBF, 0x80, 0x7F))
        .containsExactly(-1.5f, Float.POSITIVE_INFINITY);
    ByteBuffer f16 = bytes(0x00, 0x3E, 0x01, 0x00);
    assertThat(DTypeCodec.decode(DType.F16, f16, 2)).isEqualTo(0x1p-24f);
    assertThat(DTypeCodec.decode(DType.BF16, bytes(0xC0, 0xBF), 0)).isEqualTo(-1.5f);
  }

  @Test
  void buffersEncodeEachDtypeToItsLittleEndianBytes() {
    float[] values = {1.5f, -2f, 0x1p-24f};
    assertThat(encodeAll(DType.F32, values)).containsExactly(
        0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x80, 0x33);
    assertThat(encodeAll(DType.F16, values)).containsExactly(0x00, 0x3E, 0x00, 0xC0, 0x01, 0x00);
    // 2^-24 = 0x33800000 in float32, so bfloat16 keeps its upper half 0x3380.
    assertThat(encodeAll(DType.BF16, values)).containsExactly(0xC0, 0x3F, 0x00, 0xC0, 0x80, 0x33);
  }

  @Test
  void roundGivesWhatTheDtypeStores() {
    assertThat(DTypeCodec.round(DType.F32, 0.1f)).isEqualTo(0.1f);
    assertThat(DTypeCodec.round(DType.F16, 1f / 3)).isEqualTo(0.333251953125f);
    assertThat(DTypeCodec.round(DType.BF16, 1f / 3)).isEqualTo(0.333984375f);
    assertThatThrownBy(() -> DTypeCodec.round(DType.I64, 1f))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("I64 is not a floating-point dtype");
  }

  @Test
  void namesAndSizesComeFromOneTable() {
    assertThat(DType.F16.byteSize()).isEqualTo(2);
    assertThat(DType.I64.byteSize()).isEqualTo(8);
    assertThat(DType.fromSafetensorsName("BF16")).isEqualTo(DType.BF16);
    assertThat(DType.fromPthStorageName("HalfStorage")).contains(DType.F16);
    assertThat(DType.fromPthStorageName("LongStorage")).contains(DType.I64);
    assertThat(DType.fromPthStorageName("DoubleStorage")).isEmpty();
    assertThatThrownBy(() -> DType.fromSafetensorsName("F64"))
        .hasMessage("unsupported dtype 'F64', expected one of F32, F16, BF16, I64");
  }

  @Property(tries = 500)
  void halfRoundTripOfRepresentableValuesIsExact(@ForAll short bits) {
    float v = DTypeCodec.halfToFloat(bits);
    if (!Float.isNaN(v)) {
      assertThat(DTypeCodec.floatToHalf(v)).isEqualTo(bits);
    }
  }

  @Property(tries = 500)
  void bfloat16RoundTripOfRepresentableValuesIsExact(@ForAll short bits) {
    float v = DTypeCodec.bfloat16ToFloat(bits);
    if (!Float.isNaN(v)) {
      assertThat(DTypeCodec.floatToBfloat16(v)).isEqualTo(bits);
    }
  }

  private static ByteBuffer bytes(int... b) {
    ByteBuffer buf = ByteBuffer.allocate(b.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int x : b) {
      buf.put((byte) x);
    }
    return buf.flip();
  }

  private static float[] decodeAll(DType dtype, int... b) {
    ByteBuffer buf = bytes(b);
    float[] out = new float[b.length / dtype.byteSize()];
    DTypeCodec.decode(dtype, buf, out, 0, out.length);
    assertThat(buf.remaining()).as("the buffer advances past what was read").isZero();
    return out;
  }

  private static int[] encodeAll(DType dtype, float[] values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * dtype.byteSize())
        .order(ByteOrder.LITTLE_ENDIAN);
    DTypeCodec.encode(dtype, FloatBuffer.wrap(values), 0, values.length, buf);
    assertThat(buf.remaining()).isZero();
    int[] out = new int[buf.capacity()];
    for (int i = 0; i < out.length; i++) {
      out[i] = buf.get(i) & 0xFF;
    }
    return out;
  }
}
