package io.github.fran4j.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.Photos;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.apache.spark.SparkFiles;

/**
 * What to re-age and how: the options of {@code fran reage} (and of {@link ReAger.Builder}) in a
 * serialisable value that Spark ships to the executors. Immutable and thread-safe; equal specs
 * share one {@link ReAger} per executor JVM.
 *
 * <p>File options (model, detector, landmarks, age map) name local files. On a cluster, ship them
 * with {@code spark-submit --files}: an executor that does not find the path as given uses the
 * file of the same name in {@link SparkFiles}.
 */
public final class ReAgeSpec implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final List<String> FORMATS = List.of("png", "jpg", "jpeg", "bmp");

  private final ReAgeOptions options;
  private final double inputAge;
  private final double targetAge;
  private final String format;
  private final String ageMap;

  private ReAgeSpec(Builder b) {
    options = b.options.build();
    inputAge = b.inputAge;
    targetAge = b.targetAge;
    format = b.format;
    ageMap = b.ageMap;
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the model file as given. */
  public String model() {
    return options.model();
  }

  /**
   * Returns the re-ager's options: model, device, threads, batch size, pixel limit and face
   * pipeline, mapped to a {@code ReAger} as {@code fran reage} maps its own.
   */
  public ReAgeOptions options() {
    return options;
  }

  /** Returns the apparent age in the input images (rows may override it), in years. */
  public double inputAge() {
    return inputAge;
  }

  /**
   * Returns the target age (rows may override it), in years; NaN when the spec has an age map
   * instead.
   */
  public double targetAge() {
    return targetAge;
  }

  /**
   * Returns the grey image of target ages over each input, as given (see
   * {@link Builder#optAgeMap}); empty when the target age is constant.
   */
  public Optional<String> ageMap() {
    return Optional.ofNullable(ageMap);
  }

  /** Returns how many images of a partition are re-aged per call (and per model call). */
  public int batchSize() {
    return options.batchSize();
  }

  /** Returns the largest image accepted, in pixels. */
  public long maxPixels() {
    return options.maxPixels();
  }

  /**
   * Returns the output format ({@code png}, {@code jpg}, {@code jpeg} or {@code bmp}); empty
   * when outputs keep their input's format.
   */
  public Optional<String> format() {
    return Optional.ofNullable(format);
  }

  /**
   * Checks the spec where it is built (the driver): the files exist and the model loads, so a bad
   * path fails before any task starts, naming the path.
   *
   * @throws NoSuchFileException if the model, detector, landmark or age-map file does not exist
   * @throws IOException if the model, detector or age map cannot be loaded
   */
  public void validate() throws IOException {
    for (String f : new String[] {options.model(), options.detector().orElse(null),
        options.landmarks().orElse(null), ageMap}) {
      if (f != null && !Files.isRegularFile(Path.of(f))) {
        throw new NoSuchFileException(f, null, "no such file (the driver reads it; ship it to "
            + "executors with spark-submit --files)");
      }
    }
    try (Opened o = open(Path::of)) {
      // Loaded and closed: the backend accepted the model and the options, the age map decoded.
    }
  }

  /**
   * Opens the re-ager (and face detector) this spec describes, with files resolved on this JVM.
   * Executors use {@link #openOnExecutor()}; this is the driver's and the tests' way in.
   *
   * @param resolve maps a file option to a local path
   * @return the opened re-ager; the caller closes it
   * @throws IOException if a file cannot be loaded
   */
  Opened open(Function<String, Path> resolve) throws IOException {
    FaceDetector det = options.openDetector(resolve);
    try {
      AgeMap map = ageMap == null ? null : readAgeMap(resolve.apply(ageMap));
      return new Opened(options.open(det, resolve), det, map);
    } catch (IOException | RuntimeException e) {
      det.close();
      throw e;
    }
  }

  /** Reads a grey image of ages as {@code fran reage --age-map} does, naming the file on errors. */
  private AgeMap readAgeMap(Path file) throws IOException {
    try {
      return AgeMap.fromGrey(Photos.read(file, options.maxPixels()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("age map " + file + ": " + e.getMessage(), e);
    }
  }

  /** Opens this spec on an executor: files as given, else shipped with {@code --files}. */
  Opened openOnExecutor() throws IOException {
    return open(ReAgeSpec::localFile);
  }

  private static Path localFile(String file) {
    Path p = Path.of(file);
    if (Files.isRegularFile(p)) {
      return p;
    }
    Path shipped = Path.of(SparkFiles.get(p.getFileName().toString()));
    checkArgument(Files.isRegularFile(shipped), "%s: not found on this executor, nor shipped with "
        + "--files (looked for %s)", file, shipped);
    return shipped;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReAgeSpec)) {
      return false;
    }
    ReAgeSpec s = (ReAgeSpec) o;
    return options.equals(s.options) && Double.compare(inputAge, s.inputAge) == 0
        && Double.compare(targetAge, s.targetAge) == 0 && Objects.equals(format, s.format)
        && Objects.equals(ageMap, s.ageMap);
  }

  @Override
  public int hashCode() {
    return Objects.hash(options, inputAge, targetAge, format, ageMap);
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ReAgeSpec{model=%s, %s -> %s, face=%s, device=%s}",
        options.model(), inputAge, ageMap != null ? "age map " + ageMap : targetAge,
        options.face(), options.device());
  }

  /** A re-ager, the face detector it uses (closed together) and the spec's age map, if any. */
  static final class Opened implements AutoCloseable {
    final ReAger reager;
    final AgeMap targetMap; // null: the target age is constant
    private final FaceDetector detector;

    Opened(ReAger reager, FaceDetector detector, AgeMap targetMap) {
      this.reager = reager;
      this.detector = detector;
      this.targetMap = targetMap;
    }

    @Override
    public void close() {
      try {
        reager.close();
      } finally {
        detector.close();
      }
    }
  }

  /**
   * Builds a {@link ReAgeSpec}: {@link #setModel}, {@link #setInputAge} and {@link #setTargetAge}
   * (or {@link #optAgeMap}) are required, the rest default as in {@code fran reage}. Not thread-safe.
   */
  public static final class Builder {
    private ReAgeOptions.Builder options = ReAgeOptions.builder();
    private double inputAge = Double.NaN;
    private double targetAge = Double.NaN;
    private String format;
    private String ageMap;
    private boolean modelSet;

    private Builder() {}

    /**
     * Sets the model file ({@code .safetensors} or {@code .onnx}).
     *
     * @param v a path on the driver (and on executors, or shipped with {@code --files})
     * @return this builder
     */
    public Builder setModel(String v) {
      options.setModel(v);
      modelSet = true;
      return this;
    }

    /**
     * Sets every re-ager option at once (model, device, threads, batch size, pixel limit, face
     * pipeline), replacing those set before: the same {@link ReAgeOptions} that opens a
     * {@link ReAger} elsewhere in a program.
     *
     * @param v the options
     * @return this builder
     */
    public Builder setOptions(ReAgeOptions v) {
      options = checkNotNull(v, "options").toBuilder();
      modelSet = true;
      return this;
    }

    /**
     * Sets the apparent age in the inputs (a row's {@code input_age} column overrides it).
     *
     * @param v years, 0 to 150
     * @return this builder
     */
    public Builder setInputAge(double v) {
      inputAge = AgeMap.checkAge(v, "input age");
      return this;
    }

    /**
     * Sets the target age (a row's {@code target_age} column overrides it).
     *
     * @param v years, 0 to 150
     * @return this builder
     */
    public Builder setTargetAge(double v) {
      targetAge = AgeMap.checkAge(v, "target age");
      return this;
    }

    /**
     * Sets where the face is: {@code auto} (the detector if one is set, else the whole image),
     * {@code full}, or a box {@code x,y,w,h}. Default {@code auto}.
     *
     * @param v the face option of {@code fran reage --face}
     * @return this builder
     * @throws IllegalArgumentException for anything else
     */
    public Builder optFace(String v) {
      options.optFace(v);
      return this;
    }

    /**
     * Sets the UltraFace-style ONNX face detector used by {@code face auto}.
     *
     * @param v the detector file
     * @return this builder
     */
    public Builder optDetector(String v) {
      options.optDetector(v);
      return this;
    }

    /**
     * Sets the 68-point landmark ONNX model used with the detector.
     *
     * @param v the landmark model file
     * @return this builder
     */
    public Builder optLandmarks(String v) {
      options.optLandmarks(v);
      return this;
    }

    /**
     * Sets the device: {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N} (default auto).
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(String v) {
      options.optDevice(v);
      return this;
    }

    /**
     * Sets the backend's threads per executor JVM (0: the backend's default). Every task of an
     * executor shares them; see docs/spark.md on sizing.
     *
     * @param v 0 or a positive count
     * @return this builder
     */
    public Builder optThreads(int v) {
      options.optThreads(v);
      return this;
    }

    /**
     * Sets the resolution faces are re-aged at (0: the model's own).
     *
     * @param v 0 or a positive size
     * @return this builder
     */
    public Builder optCropResolution(int v) {
      options.optCropResolution(v);
      return this;
    }

    /**
     * Sets the tile side for large crops (0: none).
     *
     * @param v 0 or a positive size
     * @return this builder
     */
    public Builder optTileSize(int v) {
      options.optTileSize(v);
      return this;
    }

    /**
     * Sets the smallest face re-aged, in pixels (default 24).
     *
     * @param v a positive size
     * @return this builder
     */
    public Builder optMinFace(int v) {
      options.optMinFace(v);
      return this;
    }

    /**
     * Sets the largest image accepted, in pixels (default 100 megapixels); larger images become
     * failed rows.
     *
     * @param v a positive pixel count
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      options.optMaxPixels(v);
      return this;
    }

    /**
     * Makes an image without a face a failed row instead of an unchanged copy (default false,
     * as {@code fran reage --no-face warn}).
     *
     * @param v whether no face fails the row
     * @return this builder
     */
    public Builder optFailOnNoFace(boolean v) {
      options.optNoFacePolicy(v ? NoFacePolicy.THROW : NoFacePolicy.RETURN_UNCHANGED);
      return this;
    }

    /**
     * Sets the output format (default: each output keeps its input's format).
     *
     * @param v {@code png}, {@code jpg}, {@code jpeg} or {@code bmp}
     * @return this builder
     */
    public Builder optFormat(String v) {
      String f = checkNotNull(v, "format").toLowerCase(Locale.ROOT);
      checkArgument(FORMATS.contains(f), "format must be one of %s, got '%s'", FORMATS, v);
      format = f;
      return this;
    }

    /**
     * Sets a grey image of target ages over each input (grey level = age in years, stretched to
     * the input's size), as {@code fran reage --age-map}: localized re-aging. It replaces the
     * target age; a row's {@code target_age} column still overrides it with a constant age.
     *
     * @param v an image file on the driver (and on executors, or shipped with {@code --files})
     * @return this builder
     */
    public Builder optAgeMap(String v) {
      ageMap = checkNotNull(v, "age map");
      return this;
    }

    /**
     * Sets how many images of a partition are re-aged together (default 4): images of one size
     * (with a face pipeline, all face crops) share model calls of up to this many. Outputs are the
     * same whatever the batch size; memory grows with it.
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optBatchSize(int v) {
      options.optBatchSize(v);
      return this;
    }

    /**
     * Returns the spec (not yet validated against the files: see {@link ReAgeSpec#validate()}).
     *
     * @return the spec
     * @throws IllegalStateException if the model or an age is missing, both a target age and an
     *     age map are set, or landmarks are set without a detector
     */
    public ReAgeSpec build() {
      if (!modelSet || Double.isNaN(inputAge) || (Double.isNaN(targetAge) && ageMap == null)) {
        throw new IllegalStateException("setModel, setInputAge and setTargetAge (or optAgeMap) "
            + "are required");
      }
      if (!Double.isNaN(targetAge) && ageMap != null) {
        throw new IllegalStateException("set either a target age or an age map, not both");
      }
      return new ReAgeSpec(this);
    }
  }
}
