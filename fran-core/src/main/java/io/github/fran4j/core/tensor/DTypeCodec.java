package io.github.fran4j.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Converts floating-point values to and from the bytes of a {@link DType}: the one codec that
 * every weight-file reader and writer (safetensors, {@code torch.save} checkpoints, fp16 ONNX
 * initializers) uses, so that rounding and the special values (subnormals, infinities, NaN) are
 * handled the same way everywhere.
 *
 * <p>Float to half or bfloat16 rounds to nearest even, as PyTorch does; the reverse is exact.
 * Buffer methods read and write in the buffer's own byte order. Stateless and thread-safe.
 */
public final class DTypeCodec {
  private DTypeCodec() {}

  /**
   * Converts a float to IEEE half precision bits, rounding to nearest even (as PyTorch does).
   * Values beyond the half range become infinities; NaN stays a quiet NaN.
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
   * Converts IEEE half precision bits to a float (exact, subnormals included).
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
   * Rounds a float to the nearest value a floating dtype can store.
   *
   * @param dtype a floating dtype
   * @param value the value
   * @return the value as it reads back after being stored as {@code dtype}
   * @throws IllegalArgumentException if {@code dtype} is not floating
   */
  public static float round(DType dtype, float value) {
    switch (checkFloating(dtype)) {
      case F16:
        return halfToFloat(floatToHalf(value));
      case BF16:
        return bfloat16ToFloat(floatToBfloat16(value));
      default:
        return value;
    }
  }

  /**
   * Reads one element at an absolute byte index.
   *
   * @param dtype a floating dtype
   * @param src the stored bytes
   * @param byteIndex where the element starts
   * @return its value as a float
   * @throws IllegalArgumentException if {@code dtype} is not floating
   */
  public static float decode(DType dtype, ByteBuffer src, int byteIndex) {
    switch (checkFloating(dtype)) {
      case F32:
        return src.getFloat(byteIndex);
      case F16:
        return halfToFloat(src.getShort(byteIndex));
      default:
        return bfloat16ToFloat(src.getShort(byteIndex));
    }
  }

  /**
   * Reads {@code count} consecutive elements from the buffer's position, which advances past them.
   *
   * @param dtype a floating dtype
   * @param src the stored bytes, at least {@code count * dtype.byteSize()} remaining
   * @param dst where the values go
   * @param offset the first index of {@code dst} to fill
   * @param count the number of elements
   * @throws IllegalArgumentException if {@code dtype} is not floating
   */
  public static void decode(DType dtype, ByteBuffer src, float[] dst, int offset, int count) {
    checkNotNull(src, "src");
    checkNotNull(dst, "dst");
    switch (checkFloating(dtype)) {
      case F32:
        src.asFloatBuffer().get(dst, offset, count);
        break;
      case F16:
        for (int i = 0; i < count; i++) {
          dst[offset + i] = halfToFloat(src.getShort(src.position() + 2 * i));
        }
        break;
      default:
        for (int i = 0; i < count; i++) {
          dst[offset + i] = bfloat16ToFloat(src.getShort(src.position() + 2 * i));
        }
        break;
    }
    src.position(src.position() + count * dtype.byteSize());
  }

  /**
   * Writes {@code count} values, rounded to the dtype, at the buffer's position, which advances.
   *
   * @param dtype a floating dtype
   * @param src the values, read from {@code start} without moving the buffer's position
   * @param start the first index of {@code src} to write
   * @param count the number of elements
   * @param dst where the bytes go, at least {@code count * dtype.byteSize()} remaining
   * @throws IllegalArgumentException if {@code dtype} is not floating
   */
  public static void encode(DType dtype, FloatBuffer src, int start, int count, ByteBuffer dst) {
    checkNotNull(src, "src");
    checkNotNull(dst, "dst");
    switch (checkFloating(dtype)) {
      case F32:
        for (int i = 0; i < count; i++) {
          dst.putFloat(src.get(start + i));
        }
        break;
      case F16:
        for (int i = 0; i < count; i++) {
          dst.putShort(floatToHalf(src.get(start + i)));
        }
        break;
      default:
        for (int i = 0; i < count; i++) {
          dst.putShort(floatToBfloat16(src.get(start + i)));
        }
        break;
    }
  }

  private static DType checkFloating(DType dtype) {
    checkNotNull(dtype, "dtype");
    checkArgument(dtype.isFloating(), "%s is not a floating-point dtype", dtype);
    return dtype;
  }
}
