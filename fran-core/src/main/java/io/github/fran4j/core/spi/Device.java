package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Locale;
import java.util.Objects;

/**
 * Where a backend runs the model: {@link #AUTO} (a CUDA GPU when one is usable, else the CPU),
 * {@link #CPU}, or a specific CUDA device. Immutable.
 */
public final class Device {
  /** Let the backend choose: CUDA when its GPU build and a usable GPU are present, else CPU. */
  public static final Device AUTO = new Device(Kind.AUTO, -1);
  /** The CPU. */
  public static final Device CPU = new Device(Kind.CPU, -1);

  /** The kind of device. */
  public enum Kind {
    /** Backend's choice. */
    AUTO,
    /** The CPU. */
    CPU,
    /** An NVIDIA GPU through CUDA. */
    CUDA
  }

  private final Kind kind;
  private final int id;

  private Device(Kind kind, int id) {
    this.kind = kind;
    this.id = id;
  }

  /**
   * Returns a CUDA device.
   *
   * @param id the device index, 0 for the first GPU
   * @return the device
   */
  public static Device cuda(int id) {
    checkArgument(id >= 0, "CUDA device id must be >= 0, got %s", id);
    return new Device(Kind.CUDA, id);
  }

  /**
   * Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N} (case-insensitive).
   *
   * @param text the device name
   * @return the device
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Device parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (t.equals("auto")) {
      return AUTO;
    }
    if (t.equals("cpu")) {
      return CPU;
    }
    if (t.equals("cuda") || t.equals("gpu")) {
      return cuda(0);
    }
    if (t.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(t.substring(5)));
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException(
        "unknown device '" + text + "', expected auto, cpu, cuda or cuda:N");
  }

  /** {@return the kind} */
  public Kind kind() {
    return kind;
  }

  /** {@return the CUDA device index, or -1 for AUTO and CPU} */
  public int id() {
    return id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Device && ((Device) o).kind == kind && ((Device) o).id == id;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, id);
  }

  /** Returns the form {@link #parse} accepts. */
  @Override
  public String toString() {
    return kind == Kind.CUDA ? "cuda:" + id : kind.name().toLowerCase(Locale.ROOT);
  }
}
