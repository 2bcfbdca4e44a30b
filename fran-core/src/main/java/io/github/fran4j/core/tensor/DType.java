package io.github.fran4j.core.tensor;

/**
 * Element types a {@link Tensor} can be stored as on disk.
 *
 * <p>In memory every floating-point tensor is held as {@code float}; the dtype records how it was
 * (or will be) stored, so that reading and writing a file keeps its precision. Integer tensors
 * ({@link #I64}) are held as {@code long}.
 */
public enum DType {
  /** IEEE 754 single precision. */
  F32(4, true, "F32"),
  /** IEEE 754 half precision. */
  F16(2, true, "F16"),
  /** bfloat16: the upper half of a float32. */
  BF16(2, true, "BF16"),
  /** 64-bit signed integer, e.g. BatchNorm's {@code num_batches_tracked}. */
  I64(8, false, "I64");

  private final int byteSize;
  private final boolean floating;
  private final String safetensorsName;

  DType(int byteSize, boolean floating, String safetensorsName) {
    this.byteSize = byteSize;
    this.floating = floating;
    this.safetensorsName = safetensorsName;
  }

  /** {@return the number of bytes one element takes on disk} */
  public int byteSize() {
    return byteSize;
  }

  /** {@return true for the floating-point types} */
  public boolean isFloating() {
    return floating;
  }

  /** {@return the name the safetensors format uses for this type ({@code "F32"}, ...)} */
  public String safetensorsName() {
    return safetensorsName;
  }

  /**
   * Converts a float to IEEE half precision bits, rounding to nearest even (as PyTorch does).
   *
   * @param value the value to convert
   * @return the 16 bits of the half-precision value
   */
  public static short floatToHalf(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      // Inf stays Inf, NaN stays a quiet NaN.
      return (short) (sign | 0x7C00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (e <= 0) {
      if (e < -10) {
        return (short) sign;
      }
      // Subnormal half: shift the mantissa with its implicit bit, rounding to nearest even.
      int m = mant | 0x800000;
      int shift = 14 - e;
      int half = m >>> shift;
      int rem = m & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rem > mid || (rem == mid && (half & 1) != 0)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >>> 13);
    int rem = mant & 0x1FFF;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) {
      half++; // may carry into the exponent, which is the correct rounding up to Inf
    }
    return (short) (sign | half);
  }

  /**
   * Converts IEEE half precision bits to a float (exact).
   *
   * @param bits the 16 bits of a half-precision value
   * @return the value as a float
   */
  public static float halfToFloat(short bits) {
    int h = bits & 0xFFFF;
    int sign = (h & 0x8000) << 16;
    int exp = (h >>> 10) & 0x1F;
    int mant = h & 0x3FF;
    if (exp == 0) {
      float v = mant * 0x1p-24f;
      return sign != 0 ? -v : v;
    }
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /**
   * Converts a float to bfloat16 bits, rounding to nearest even (as PyTorch does); NaN stays NaN.
   *
   * @param value the value to convert
   * @return the 16 bits of the bfloat16 value
   */
  public static short floatToBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounding = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + rounding) >>> 16);
  }

  /**
   * Converts bfloat16 bits to a float (exact).
   *
   * @param bits the 16 bits of a bfloat16 value
   * @return the value as a float
   */
  public static float bfloat16ToFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /**
   * Looks a dtype up by its safetensors name.
   *
   * @param name a safetensors dtype name such as {@code "F32"}
   * @return the dtype
   * @throws IllegalArgumentException if the name is not one of the supported types
   */
  public static DType fromSafetensorsName(String name) {
    for (DType t : values()) {
      if (t.safetensorsName.equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unsupported dtype '" + name + "', expected one of F32, F16, BF16, I64");
  }
}
