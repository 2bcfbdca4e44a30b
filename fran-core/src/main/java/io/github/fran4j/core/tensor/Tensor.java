package io.github.fran4j.core.tensor;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;

/**
 * An immutable, dense, row-major (C-order) tensor with a shape and a storage {@link DType}.
 *
 * <p>Floating-point tensors keep their values as {@code float} whatever their storage dtype
 * (F16 and BF16 values are exactly representable); {@link DType#I64} tensors keep {@code long}s.
 * Instances are immutable and thread-safe: factories copy their input, accessors return copies or
 * read-only views.
 */
public final class Tensor {
  private final int[] shape;
  private final DType dtype;
  private final float[] floats;
  private final long[] longs;

  private Tensor(int[] shape, DType dtype, float[] floats, long[] longs) {
    this.shape = shape;
    this.dtype = dtype;
    this.floats = floats;
    this.longs = longs;
  }

  /**
   * Creates a float32 tensor from values in row-major order.
   *
   * @param values the elements (copied)
   * @param shape the shape; its element count must equal {@code values.length}
   * @return the tensor
   */
  public static Tensor ofFloats(float[] values, int... shape) {
    return ofFloats(DType.F32, values, shape);
  }

  /**
   * Creates a floating-point tensor that will be stored as {@code dtype}.
   *
   * <p>Values are rounded to {@code dtype}'s precision so that what the tensor holds is exactly what
   * a file written from it will hold.
   *
   * @param dtype a floating dtype (F32, F16 or BF16)
   * @param values the elements (copied)
   * @param shape the shape
   * @return the tensor
   */
  public static Tensor ofFloats(DType dtype, float[] values, int... shape) {
    checkNotNull(values, "values");
    checkArgument(dtype.isFloating(), "dtype %s is not a floating type", dtype);
    int[] s = checkShape(shape, values.length);
    float[] copy = values.clone();
    if (dtype != DType.F32) {
      for (int i = 0; i < copy.length; i++) {
        copy[i] = roundTo(dtype, copy[i]);
      }
    }
    return new Tensor(s, dtype, copy, null);
  }

  /**
   * Creates an int64 tensor.
   *
   * @param values the elements (copied)
   * @param shape the shape
   * @return the tensor
   */
  public static Tensor ofLongs(long[] values, int... shape) {
    checkNotNull(values, "values");
    return new Tensor(checkShape(shape, values.length), DType.I64, null, values.clone());
  }

  /**
   * Wraps a float32 array without copying. The caller must not modify {@code values} afterwards.
   * Meant for code that has just computed a fresh array and hands it over.
   *
   * @param values the elements, owned by the tensor from now on
   * @param shape the shape
   * @return the tensor
   */
  public static Tensor wrap(float[] values, int... shape) {
    checkNotNull(values, "values");
    return new Tensor(checkShape(shape, values.length), DType.F32, values, null);
  }

  /**
   * Creates a float32 tensor of zeros.
   *
   * @param shape the shape
   * @return the tensor
   */
  public static Tensor zeros(int... shape) {
    return new Tensor(checkShape(shape, -1), DType.F32, new float[numel(shape)], null);
  }

  private static float roundTo(DType dtype, float v) {
    return DTypeCodec.round(dtype, v);
  }

  private static int[] checkShape(int[] shape, int expected) {
    checkNotNull(shape, "shape");
    long n = 1;
    for (int d : shape) {
      checkArgument(d >= 0, "negative dimension in shape %s", Arrays.toString(shape));
      n *= d;
      checkArgument(n <= Integer.MAX_VALUE, "shape %s is too large", Arrays.toString(shape));
    }
    checkArgument(
        expected < 0 || n == expected,
        "shape %s holds %s elements but %s values were given",
        Arrays.toString(shape),
        n,
        expected);
    return shape.clone();
  }

  /**
   * Returns the number of elements of a shape.
   *
   * @param shape a shape
   * @return the product of its dimensions (1 for a scalar)
   */
  public static int numel(int... shape) {
    long n = 1;
    for (int d : shape) {
      n *= d;
    }
    checkArgument(n <= Integer.MAX_VALUE, "shape %s is too large", Arrays.toString(shape));
    return (int) n;
  }

  /** {@return a copy of the shape} */
  public int[] shape() {
    return shape.clone();
  }

  /**
   * Returns one dimension.
   *
   * @param axis the axis, 0-based
   * @return its size
   */
  public int dim(int axis) {
    return shape[axis];
  }

  /** {@return the number of dimensions} */
  public int rank() {
    return shape.length;
  }

  /** {@return the number of elements} */
  public int size() {
    return floats != null ? floats.length : longs.length;
  }

  /** {@return the storage dtype} */
  public DType dtype() {
    return dtype;
  }

  /**
   * Returns true when this tensor's shape equals {@code expected}.
   *
   * @param expected the shape to compare with
   * @return whether they are equal
   */
  public boolean hasShape(int... expected) {
    return Arrays.equals(shape, expected);
  }

  /**
   * Returns the elements as floats (a copy). Works for every dtype; I64 values are converted.
   *
   * @return a new array in row-major order
   */
  public float[] toFloatArray() {
    if (floats != null) {
      return floats.clone();
    }
    float[] out = new float[longs.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = longs[i];
    }
    return out;
  }

  /**
   * Returns the elements as longs (a copy); only for {@link DType#I64} tensors.
   *
   * @return a new array in row-major order
   * @throws IllegalStateException if this is a floating-point tensor
   */
  public long[] toLongArray() {
    if (longs == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " has no long values");
    }
    return longs.clone();
  }

  /**
   * Returns a read-only view of the float elements without copying.
   *
   * @return a read-only buffer positioned at 0
   * @throws IllegalStateException if this is an I64 tensor
   */
  public FloatBuffer floatBuffer() {
    if (floats == null) {
      throw new IllegalStateException("tensor of dtype I64 has no float view");
    }
    return FloatBuffer.wrap(floats).asReadOnlyBuffer();
  }

  /**
   * Returns a read-only view of the long elements without copying.
   *
   * @return a read-only buffer positioned at 0
   * @throws IllegalStateException if this is a floating-point tensor
   */
  public LongBuffer longBuffer() {
    if (longs == null) {
      throw new IllegalStateException("tensor of dtype " + dtype + " has no long view");
    }
    return LongBuffer.wrap(longs).asReadOnlyBuffer();
  }

  /**
   * Returns one element as a float by flat (row-major) index.
   *
   * @param index the flat index
   * @return the element
   */
  public float getFloat(int index) {
    return floats != null ? floats[index] : longs[index];
  }

  /**
   * Returns this tensor with another storage dtype (floating types only), rounding the values.
   *
   * @param target a floating dtype
   * @return the converted tensor (this one if the dtype is already {@code target})
   */
  public Tensor toDType(DType target) {
    if (target == dtype) {
      return this;
    }
    return ofFloats(target, toFloatArray(), shape);
  }

  /**
   * Returns a tensor with the same elements and another shape.
   *
   * @param newShape the shape, with the same element count
   * @return the reshaped tensor (sharing the immutable data)
   */
  public Tensor reshape(int... newShape) {
    return new Tensor(checkShape(newShape, size()), dtype, floats, longs);
  }

  /** Compares dtype, shape and elements (NaN equals NaN). */
  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Tensor)) {
      return false;
    }
    Tensor t = (Tensor) o;
    return dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && Arrays.equals(floats, t.floats)
        && Arrays.equals(longs, t.longs);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape))
        + (floats != null ? Arrays.hashCode(floats) : Arrays.hashCode(longs));
  }

  /** Returns the dtype and shape, e.g. {@code Tensor[F32, 64, 5, 3, 3]}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Tensor[").append(dtype);
    for (int d : shape) {
      sb.append(", ").append(d);
    }
    return sb.append(']').toString();
  }
}
