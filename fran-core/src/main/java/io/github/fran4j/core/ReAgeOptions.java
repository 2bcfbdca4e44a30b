package io.github.fran4j.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.pipeline.DeltaRunner;
import io.github.fran4j.core.pipeline.FaceAligner;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.FixedBoxDetector;
import io.github.fran4j.core.pipeline.FullImageDetector;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.FaceDetectors;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * How to open a {@link ReAger}, as plain values: the model file, device, threads, batch size,
 * pixel limit and the face pipeline (face choice, detector and landmark files, crop resolution,
 * tiles, smallest face, no-face policy). The one mapping from these options to a
 * {@link ReAger.Builder} and a {@link FacePipeline}, shared by {@code fran reage}, {@code fran
 * serve} and fran-spark's {@code ReAgeSpec}, so the same options give the same pixels everywhere.
 *
 * <pre>{@code
 * ReAgeOptions o = ReAgeOptions.builder().setModel("fran.onnx").optDetector("fr_detect.onnx").build();
 * try (FaceDetector det = o.openDetector(); ReAger reager = o.open(det)) {
 *   BufferedImage older = reager.reage(photo, 30, 70);
 * }
 * }</pre>
 *
 * <p>Files are named by strings (a cluster resolves them on each machine, see
 * {@link #open(FaceDetector, Function)}). Immutable, thread-safe and {@link Serializable}; equal
 * options describe the same re-ager. Build with {@link #builder()}, change with
 * {@link #toBuilder()}.
 */
public final class ReAgeOptions implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The smallest face re-aged by default, in pixels (as {@code fran reage --min-face}). */
  public static final int DEFAULT_MIN_FACE = 24;

  private final String model;
  private final String device;
  private final int threads;
  private final int batchSize;
  private final long maxPixels;
  private final String face;
  private final String detector;
  private final String landmarks;
  private final int cropResolution;
  private final int tileSize;
  private final int minFace;
  private final NoFacePolicy noFacePolicy;

  private ReAgeOptions(Builder b) {
    model = b.model;
    device = b.device;
    threads = b.threads;
    batchSize = b.batchSize;
    maxPixels = b.maxPixels;
    face = b.face;
    detector = b.detector;
    landmarks = b.landmarks;
    cropResolution = b.cropResolution;
    tileSize = b.tileSize;
    minFace = b.minFace;
    noFacePolicy = b.noFacePolicy;
  }

  /** {@return a builder with the defaults of {@code fran reage}} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.model = model;
    b.device = device;
    b.threads = threads;
    b.batchSize = batchSize;
    b.maxPixels = maxPixels;
    b.face = face;
    b.detector = detector;
    b.landmarks = landmarks;
    b.cropResolution = cropResolution;
    b.tileSize = tileSize;
    b.minFace = minFace;
    b.noFacePolicy = noFacePolicy;
    return b;
  }

  /** {@return the model file, as given} */
  public String model() {
    return model;
  }

  /** {@return the device: auto, cpu, cuda or cuda:N} */
  public String device() {
    return device;
  }

  /** {@return the backend's threads (0: its default)} */
  public int threads() {
    return threads;
  }

  /** {@return the most images or face crops per model call} */
  public int batchSize() {
    return batchSize;
  }

  /** {@return the largest image accepted, in pixels} */
  public long maxPixels() {
    return maxPixels;
  }

  /** {@return where the face is: auto, full or x,y,w,h} */
  public String face() {
    return face;
  }

  /** {@return the face detector file, if any} */
  public Optional<String> detector() {
    return Optional.ofNullable(detector);
  }

  /** {@return the landmark model file, if any} */
  public Optional<String> landmarks() {
    return Optional.ofNullable(landmarks);
  }

  /** {@return the resolution faces are re-aged at (0: the model's own)} */
  public int cropResolution() {
    return cropResolution;
  }

  /** {@return the tile side for large crops (0: none)} */
  public int tileSize() {
    return tileSize;
  }

  /** {@return the smallest face re-aged, in pixels} */
  public int minFace() {
    return minFace;
  }

  /** {@return what the face pipeline does with an image without a face} */
  public NoFacePolicy noFacePolicy() {
    return noFacePolicy;
  }

  /**
   * {@return whether the whole image is the face: {@code full}, or {@code auto} without a
   * detector} Then there is no face pipeline and the face options do nothing.
   */
  public boolean wholeImage() {
    String f = face.toLowerCase(Locale.ROOT);
    return f.equals("full") || (f.equals("auto") && detector == null);
  }

  /**
   * Opens the face detector with files as given; see {@link #openDetector(Function)}.
   *
   * @return the detector; the caller closes it
   * @throws IOException if a detector or landmark file cannot be loaded
   */
  public FaceDetector openDetector() throws IOException {
    return openDetector(Path::of);
  }

  /**
   * Opens the face detector these options describe: {@link FullImageDetector#INSTANCE} when the
   * whole image is the face, a {@link FixedBoxDetector} for a box, else the detector file through
   * {@link FaceDetectors} (fran-onnx opens ONNX detectors).
   *
   * @param files maps a file option to a local path (e.g. a file shipped to a cluster machine)
   * @return the detector; the caller closes it
   * @throws IOException if a detector or landmark file cannot be loaded
   * @throws NoBackendException if no detector provider is on the class path
   */
  public FaceDetector openDetector(Function<String, Path> files) throws IOException {
    checkNotNull(files, "files");
    if (wholeImage()) {
      return FullImageDetector.INSTANCE;
    }
    if (face.equalsIgnoreCase("auto")) {
      return FaceDetectors.open(files.apply(detector),
          landmarks == null ? null : files.apply(landmarks));
    }
    return FixedBoxDetector.parse(face);
  }

  /**
   * Returns the face pipeline around a detector, or empty for {@link FullImageDetector} (the
   * whole image is the face and re-ages on the exact whole-image path).
   *
   * @param det the detector from {@link #openDetector}
   * @return the pipeline, if any
   */
  public Optional<FacePipeline> pipeline(FaceDetector det) {
    checkNotNull(det, "detector");
    if (det instanceof FullImageDetector) {
      return Optional.empty();
    }
    FacePipeline.Builder b = FacePipeline.builder().optFaceDetector(det).optMaxPixels(maxPixels)
        .optMinFaceSize(minFace).optCropResolution(cropResolution).optNoFacePolicy(noFacePolicy)
        .optBatchSize(batchSize);
    if (tileSize > 0) {
      b.optTileSize(tileSize);
    }
    if (detector != null && landmarks == null && face.equalsIgnoreCase("auto")) {
      // Detector boxes hug the face; enlarge them towards an FFHQ-like framing.
      b.optAligner(FaceAligner.builder().optBoxScale(1.6).build());
    }
    return Optional.of(b.build());
  }

  /**
   * Returns a re-ager builder with these options and the face pipeline around a detector;
   * callers may add options the values here do not cover before building.
   *
   * @param det the detector from {@link #openDetector} (it stays the caller's to close)
   * @param files maps a file option to a local path
   * @return the builder
   */
  public ReAger.Builder reagerBuilder(FaceDetector det, Function<String, Path> files) {
    checkNotNull(files, "files");
    ReAger.Builder b = ReAger.builder().setModel(files.apply(model))
        .optDevice(Device.parse(device)).optThreads(threads).optBatchSize(batchSize)
        .optMaxPixels(maxPixels);
    pipeline(det).ifPresent(b::optFacePipeline);
    return b;
  }

  /**
   * Opens the re-ager with files as given; see {@link #open(FaceDetector, Function)}.
   *
   * @param det the detector from {@link #openDetector()} (it stays the caller's to close)
   * @return the re-ager; the caller closes it (before the detector)
   * @throws IOException if the model cannot be read
   */
  public ReAger open(FaceDetector det) throws IOException {
    return open(det, Path::of);
  }

  /**
   * Opens the re-ager: the model on the device, with the face pipeline around the detector
   * unless the whole image is the face.
   *
   * @param det the detector from {@link #openDetector(Function)} (it stays the caller's to close)
   * @param files maps a file option to a local path
   * @return the re-ager; the caller closes it (before the detector)
   * @throws IOException if the model cannot be read
   */
  public ReAger open(FaceDetector det, Function<String, Path> files) throws IOException {
    return reagerBuilder(det, files).build();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReAgeOptions)) {
      return false;
    }
    ReAgeOptions s = (ReAgeOptions) o;
    return model.equals(s.model) && device.equals(s.device) && threads == s.threads
        && batchSize == s.batchSize && maxPixels == s.maxPixels && face.equals(s.face)
        && Objects.equals(detector, s.detector) && Objects.equals(landmarks, s.landmarks)
        && cropResolution == s.cropResolution && tileSize == s.tileSize && minFace == s.minFace
        && noFacePolicy == s.noFacePolicy;
  }

  @Override
  public int hashCode() {
    return Objects.hash(model, device, threads, batchSize, maxPixels, face, detector, landmarks,
        cropResolution, tileSize, minFace, noFacePolicy);
  }

  @Override
  public String toString() {
    return "ReAgeOptions{model=" + model + ", device=" + device + ", face=" + face
        + (detector == null ? "" : ", detector=" + detector) + "}";
  }

  /**
   * Builds {@link ReAgeOptions}: {@link #setModel} is required, the rest default as in
   * {@code fran reage}. Each setter checks its value and names it when it is bad. Not
   * thread-safe.
   */
  public static final class Builder {
    private String model;
    private String device = "auto";
    private int threads;
    private int batchSize = DeltaRunner.DEFAULT_BATCH_SIZE;
    private long maxPixels = DeltaRunner.DEFAULT_MAX_PIXELS;
    private String face = "auto";
    private String detector;
    private String landmarks;
    private int cropResolution;
    private int tileSize;
    private int minFace = DEFAULT_MIN_FACE;
    private NoFacePolicy noFacePolicy = NoFacePolicy.RETURN_UNCHANGED;

    private Builder() {}

    /**
     * Sets the model file ({@code .safetensors}, {@code .onnx}, or any format a backend accepts).
     *
     * @param v the file
     * @return this builder
     */
    public Builder setModel(String v) {
      model = checkNotNull(v, "model");
      return this;
    }

    /**
     * Sets the device (default auto).
     *
     * @param v auto, cpu, cuda or cuda:N
     * @return this builder
     * @throws IllegalArgumentException for anything else
     */
    public Builder optDevice(String v) {
      Device.parse(checkNotNull(v, "device"));
      device = v;
      return this;
    }

    /**
     * Sets the backend's thread count (default 0: the backend's own choice).
     *
     * @param v 0 or a positive count
     * @return this builder
     */
    public Builder optThreads(int v) {
      checkArgument(v >= 0, "threads must be >= 0, got %s", v);
      threads = v;
      return this;
    }

    /**
     * Sets the most images or face crops per model call (default 4).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optBatchSize(int v) {
      checkArgument(v >= 1, "batch size must be >= 1, got %s", v);
      batchSize = v;
      return this;
    }

    /**
     * Sets the largest image accepted (default 100 megapixels).
     *
     * @param v a positive pixel count
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      checkArgument(v > 0, "max pixels must be > 0, got %s", v);
      maxPixels = v;
      return this;
    }

    /**
     * Sets where the face is: {@code auto} (the detector if one is set, else the whole image),
     * {@code full} (the whole image), or a box {@code x,y,w,h} (default auto).
     *
     * @param v the choice
     * @return this builder
     * @throws IllegalArgumentException for anything else
     */
    public Builder optFace(String v) {
      String f = checkNotNull(v, "face").trim();
      String lower = f.toLowerCase(Locale.ROOT);
      if (!lower.equals("auto") && !lower.equals("full")) {
        try {
          FixedBoxDetector.parse(f);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              "face must be auto, full or x,y,w,h: " + e.getMessage(), e);
        }
      }
      face = f;
      return this;
    }

    /**
     * Sets the face detector file (e.g. an UltraFace-style ONNX model), used by face auto.
     *
     * @param v the file
     * @return this builder
     */
    public Builder optDetector(String v) {
      detector = checkNotNull(v, "detector");
      return this;
    }

    /**
     * Sets the 68-point landmark model that refines the detector's faces.
     *
     * @param v the file
     * @return this builder
     */
    public Builder optLandmarks(String v) {
      landmarks = checkNotNull(v, "landmarks");
      return this;
    }

    /**
     * Sets the resolution faces are re-aged at (default 0: the model's own).
     *
     * @param v 0 or a positive side in pixels
     * @return this builder
     */
    public Builder optCropResolution(int v) {
      checkArgument(v >= 0, "crop resolution must be >= 0, got %s", v);
      cropResolution = v;
      return this;
    }

    /**
     * Sets the tile side for large crops (default 0: no tiling).
     *
     * @param v 0 or a positive side in pixels
     * @return this builder
     */
    public Builder optTileSize(int v) {
      checkArgument(v >= 0, "tile size must be >= 0, got %s", v);
      tileSize = v;
      return this;
    }

    /**
     * Sets the smallest face re-aged, longer box side in pixels (default 24).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMinFace(int v) {
      checkArgument(v > 0, "min face must be > 0, got %s", v);
      minFace = v;
      return this;
    }

    /**
     * Sets what the face pipeline does with an image without a face (default: return it
     * unchanged with a warning).
     *
     * @param v the policy
     * @return this builder
     */
    public Builder optNoFacePolicy(NoFacePolicy v) {
      noFacePolicy = checkNotNull(v, "noFacePolicy");
      return this;
    }

    /**
     * {@return the options}
     *
     * @throws IllegalStateException if the model is missing, or landmarks are given without a
     *     detector
     */
    public ReAgeOptions build() {
      if (model == null) {
        throw new IllegalStateException("setModel is required");
      }
      if (landmarks != null && detector == null) {
        throw new IllegalStateException("landmarks need a detector: landmarks are predicted "
            + "inside the faces the detector finds");
      }
      return new ReAgeOptions(this);
    }
  }
}
