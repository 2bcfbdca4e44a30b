package io.github.fran4j.core.tensor;

import java.util.Optional;
import java.util.StringJoiner;

/**
 * Element types a {@link Tensor} can be stored as on disk.
 *
 * <p>In memory every floating-point tensor is held as {@code float}; the dtype records how it was
 * (or will be) stored, so that reading and writing a file keeps its precision. Integer tensors
 * ({@link #I64}) are held as {@code long}. This enum is the one table of names and sizes;
 * {@link DTypeCodec} converts values to and from the stored bytes.
 */
public enum DType {
  /** IEEE 754 single precision. */
  F32(4, true, "F32", "FloatStorage"),
  /** IEEE 754 half precision. */
  F16(2, true, "F16", "HalfStorage"),
  /** bfloat16: the upper half of a float32. */
  BF16(2, true, "BF16", "BFloat16Storage"),
  /** 64-bit signed integer, e.g. BatchNorm's {@code num_batches_tracked}. */
  I64(8, false, "I64", "LongStorage");

  private final int byteSize;
  private final boolean floating;
  private final String safetensorsName;
  private final String pthStorageName;

  DType(int byteSize, boolean floating, String safetensorsName, String pthStorageName) {
    this.byteSize = byteSize;
    this.floating = floating;
    this.safetensorsName = safetensorsName;
    this.pthStorageName = pthStorageName;
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
   * {@return the typed storage class {@code torch.save} pickles for this type, without the
   * {@code torch.} prefix ({@code "FloatStorage"}, ...)}
   */
  public String pthStorageName() {
    return pthStorageName;
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
    StringJoiner names = new StringJoiner(", ");
    for (DType t : values()) {
      names.add(t.safetensorsName);
    }
    throw new IllegalArgumentException(
        "unsupported dtype '" + name + "', expected one of " + names);
  }

  /**
   * Looks a dtype up by the name of the typed storage {@code torch.save} pickled.
   *
   * @param storage a storage class name without the {@code torch.} prefix, e.g.
   *     {@code "HalfStorage"}
   * @return the dtype, or empty for storages FRAN does not read (e.g. {@code DoubleStorage})
   */
  public static Optional<DType> fromPthStorageName(String storage) {
    for (DType t : values()) {
      if (t.pthStorageName.equals(storage)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
