package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.model.UNetConfig;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A memory budget for re-aging one photo, and the pixel limit it implies at each {@link Mode}: the
 * largest photo whose estimated peak memory fits the budget. A photo over the limit is refused from
 * its header, before decoding ({@link Photos#read(java.nio.file.Path, PixelLimit, boolean)}), with
 * its size, the limit and the budget, instead of ending in an {@link OutOfMemoryError}.
 *
 * <p>The estimate is {@code fixed + pixels * perPixel}, with the costs measured as peak RSS of
 * {@code fran reage} per megapixel on the pure-Java backend (docs/benchmarks.md, "Photo memory per
 * megapixel", gives the machine, the command and the table):
 *
 * <ul>
 *   <li>{@link Mode#NONE}: decode and write only, {@value #NONE_BYTES_PER_PIXEL} bytes per pixel.
 *   <li>{@link Mode#FULL}: the whole photo through the model,
 *       {@value #FULL_BYTES_PER_PIXEL} + {@value #MODEL_BYTES_PER_PIXEL_PER_WIDTH} x the U-Net's
 *       base width bytes per pixel (the activations grow with the width).
 *   <li>{@link Mode#ALIGNED}: {@value #ALIGNED_BYTES_PER_PIXEL} bytes per photo pixel (frame
 *       copies, paste-back) plus a fixed cost: one model pass at the crop resolution.
 *   <li>{@link Mode#COMMUNITY}: {@value #COMMUNITY_BYTES_PER_PIXEL} bytes per photo pixel plus
 *       one model pass over a {@link CommunityRecipe#WINDOW}-pixel window.
 * </ul>
 *
 * <p>The figures are for the whole process, heap and native memory together: the ONNX Runtime
 * and pure-Java backends keep their activations outside the heap. {@link #ofMachine()} (the
 * {@code fran reage} default) is three quarters of the machine's memory; {@link #ofMaxHeap()} the
 * JVM's maximum heap. One target age is assumed; a sweep of
 * N ages keeps N results (about 4 bytes per pixel each). Immutable and thread-safe.
 */
public final class PhotoMemory {
  /** Bytes per photo pixel to decode and write a photo (measured: 24-30). */
  public static final long NONE_BYTES_PER_PIXEL = 32;

  /**
   * Bytes per pixel of a model pass besides the U-Net's activations (photo, planes, padding,
   * delta, result; measured: 152).
   */
  public static final long FULL_BYTES_PER_PIXEL = 160;

  /**
   * Bytes per pixel of the U-Net's activations per unit of its base width (measured: 23 on the
   * pure-Java backend, about 50 on ONNX Runtime at width 64; the larger is used).
   */
  public static final long MODEL_BYTES_PER_PIXEL_PER_WIDTH = 50;

  /** Bytes per photo pixel of the aligned face pipeline, besides its model pass (measured: 30). */
  public static final long ALIGNED_BYTES_PER_PIXEL = 32;

  /** Bytes per photo pixel of the community recipe, besides its model pass (measured: 27). */
  public static final long COMMUNITY_BYTES_PER_PIXEL = 32;

  private static final Pattern SIZE = Pattern.compile(
      "(\\d+(?:\\.\\d+)?)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib|t|tb|tib)", Pattern.CASE_INSENSITIVE);

  /** What runs on the photo: decides the per-pixel and fixed costs. */
  public enum Mode {
    /** No re-aging: the photo is decoded and written (e.g. no face found). */
    NONE("no re-aging"),
    /** The whole photo is the face: one model pass over every pixel ({@code --face full}). */
    FULL("--face full"),
    /** Faces aligned to the model's crop, re-aged, pasted back (the default face pipeline). */
    ALIGNED("aligned face crops"),
    /** The community's recipe: a square crop resized to 1024, 512-pixel windows. */
    COMMUNITY("the community recipe");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    /** {@return how messages name this mode} */
    public String label() {
      return label;
    }
  }

  private final long bytes;
  /** Where the figure comes from, for messages ("" when given). */
  private final String source;

  private PhotoMemory(long bytes, String source) {
    this.bytes = bytes;
    this.source = source;
  }

  /**
   * Returns a budget of a number of bytes.
   *
   * @param bytes the budget, &gt; 0
   * @return the budget
   */
  public static PhotoMemory of(long bytes) {
    checkArgument(bytes > 0, "memory budget must be > 0 bytes, got %s", bytes);
    return new PhotoMemory(bytes, "");
  }

  /** {@return the JVM's maximum heap ({@code -Xmx}, or the JVM's default) as the budget} */
  public static PhotoMemory ofMaxHeap() {
    return new PhotoMemory(Runtime.getRuntime().maxMemory(), ", the JVM's maximum heap (-Xmx)");
  }

  /**
   * Returns the budget a process on this machine can count on: three quarters of its physical
   * memory (the container's limit where the JVM sees one), or the JVM's maximum heap if that is
   * larger or the memory size is unknown. The backends keep their activations outside the heap,
   * so the heap alone would refuse photos the machine re-ages easily (a 2 GB default heap is
   * smaller than one 1024-pixel pass of a width-64 U-Net).
   *
   * @return the budget
   */
  public static PhotoMemory ofMachine() {
    long heap = Runtime.getRuntime().maxMemory();
    long physical = physicalMemory();
    if (physical <= 0 || physical / 4 * 3 <= heap) {
      return ofMaxHeap();
    }
    return new PhotoMemory(physical / 4 * 3, ", 3/4 of this machine's memory of " + format(physical));
  }

  /** The machine's (or container's) memory in bytes, or 0 where the JVM does not tell it. */
  private static long physicalMemory() {
    java.lang.management.OperatingSystemMXBean os =
        java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getTotalMemorySize();
    }
    return 0;
  }

  /**
   * Parses a size such as {@code 4g}, {@code 512m}, {@code 1.5GiB} or {@code 2000000000} (binary
   * units: k = 1024).
   *
   * @param text the size
   * @return the budget
   * @throws IllegalArgumentException if the text is not a size or is 0, naming it and the expected
   *     form
   */
  public static PhotoMemory parse(String text) {
    checkNotNull(text, "text");
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("memory budget '" + text + "' is not a size, expected a "
          + "number of bytes with an optional unit k, m, g or t (binary), e.g. 4g or 512m");
    }
    String unit = m.group(2).toLowerCase(Locale.ROOT);
    int shift = unit.isEmpty() || unit.equals("b") ? 0 : 10 * ("kmgt".indexOf(unit.charAt(0)) + 1);
    double value = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
    if (!(value >= 1) || value > Long.MAX_VALUE / 2.0) {
      throw new IllegalArgumentException("memory budget '" + text + "' must be at least 1 byte and "
          + "at most 4 EiB");
    }
    return of((long) value);
  }

  /** {@return the budget in bytes} */
  public long bytes() {
    return bytes;
  }

  /**
   * Returns the estimated bytes per photo pixel in a mode.
   *
   * @param mode the mode
   * @param model the model's configuration (its base width sizes the activations)
   * @return bytes per pixel
   */
  public static long bytesPerPixel(Mode mode, UNetConfig model) {
    checkNotNull(mode, "mode");
    checkNotNull(model, "model");
    switch (mode) {
      case NONE:
        return NONE_BYTES_PER_PIXEL;
      case FULL:
        return modelPass(model);
      case ALIGNED:
        return ALIGNED_BYTES_PER_PIXEL;
      default:
        return COMMUNITY_BYTES_PER_PIXEL;
    }
  }

  /**
   * Returns the estimated cost of a mode that does not grow with the photo: one model pass at the
   * crop (aligned) or window (community) size.
   *
   * @param mode the mode
   * @param model the model's configuration
   * @param cropResolution the aligned crop's side (0: the model's training resolution)
   * @return bytes
   */
  public static long fixedBytes(Mode mode, UNetConfig model, int cropResolution) {
    checkNotNull(mode, "mode");
    checkNotNull(model, "model");
    checkArgument(cropResolution >= 0, "crop resolution must be >= 0, got %s", cropResolution);
    switch (mode) {
      case ALIGNED:
        long side = cropResolution > 0 ? cropResolution : model.trainingResolution();
        return side * side * modelPass(model);
      case COMMUNITY:
        return (long) CommunityRecipe.WINDOW * CommunityRecipe.WINDOW * modelPass(model);
      default:
        return 0;
    }
  }

  /**
   * Returns the largest photo, in pixels, whose estimated memory fits this budget.
   *
   * @param mode the mode
   * @param model the model's configuration
   * @param cropResolution the aligned crop's side (0: the model's training resolution)
   * @return the pixel count, 0 when the budget does not cover the fixed cost
   */
  public long maxPixels(Mode mode, UNetConfig model, int cropResolution) {
    long free = bytes - fixedBytes(mode, model, cropResolution);
    return free <= 0 ? 0 : free / bytesPerPixel(mode, model);
  }

  /**
   * Returns the pixel limit of this budget in a mode, described for messages (the budget, where it
   * comes from, the mode and the costs).
   *
   * @param mode the mode
   * @param model the model's configuration
   * @param cropResolution the aligned crop's side (0: the model's training resolution)
   * @return the limit
   */
  public PixelLimit limit(Mode mode, UNetConfig model, int cropResolution) {
    long fixed = fixedBytes(mode, model, cropResolution);
    String described = String.format(Locale.ROOT, "a memory budget of %s%s at %s, estimated at %s "
            + "per megapixel%s%s", format(bytes), source, mode.label(),
        format(bytesPerPixel(mode, model) * 1_000_000L),
        fixed > 0 ? " + " + format(fixed) + " for the model pass" : "",
        mode == Mode.NONE ? "" : " for U-Net width " + model.baseWidth());
    return new PixelLimit(maxPixels(mode, model, cropResolution), described);
  }

  private static long modelPass(UNetConfig model) {
    return FULL_BYTES_PER_PIXEL + MODEL_BYTES_PER_PIXEL_PER_WIDTH * model.baseWidth();
  }

  /** Formats bytes in binary units with two decimals, e.g. {@code 1.50 GiB}. */
  static String format(long bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return u == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.2f %s", v, units[u]);
  }

  @Override
  public String toString() {
    return "PhotoMemory{" + format(bytes) + source + "}";
  }
}
