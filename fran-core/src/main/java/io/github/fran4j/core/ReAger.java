package io.github.fran4j.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Backends;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Re-ages faces with a FRAN generator: the SDK's entry point.
 *
 * <pre>{@code
 * try (ReAger reager = ReAger.load(Path.of("fran.onnx"))) {
 *   BufferedImage older = reager.reage(ImageIO.read(face), 30, 70);
 * }
 * }</pre>
 *
 * <p>The model file picks its backend through the {@link io.github.fran4j.core.spi.BackendProvider}
 * SPI: {@code .safetensors} runs on the pure-Java reference backend in fran-core, {@code .onnx}
 * needs fran-onnx on the class path. Without a face detector the whole image is the face (as for
 * pre-aligned data) and {@code reage} is exactly: x = rgb / 255; delta = G(x, in / 100, out / 100);
 * y = clamp(x + delta, 0, 1), rounded to 8 bits (16-bit images keep 16 bits; alpha is kept).
 * Sizes the network cannot take (not a multiple of 2^depth) are padded by edge replication and the
 * delta is cropped back.
 *
 * <p>With a face detector or a face box ({@link Builder#optFaceDetector},
 * {@link Builder#optFaceBox}, or a whole {@link FacePipeline} via {@link Builder#optPipeline}),
 * {@code reage} and {@code sweep} run the production pipeline instead: faces are found, aligned to
 * the model's crop, re-aged, and only the delta is pasted back into the full-resolution frame
 * through a feathered mask (see {@link FacePipeline}); pixels outside the faces are unchanged.
 *
 * <p>Thread-safe: one instance may serve many threads at once. Closing it releases the backend's
 * native resources; calls after {@link #close()} throw {@link IllegalStateException}.
 */
public final class ReAger implements AutoCloseable {
  private final Generator generator;
  private final int batchSize;
  private final FacePipeline pipeline;
  private final long maxPixels;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ReAger(Generator generator, int batchSize, FacePipeline pipeline, long maxPixels) {
    this.generator = generator;
    this.batchSize = batchSize;
    this.pipeline = pipeline;
    this.maxPixels = maxPixels;
  }

  /**
   * Loads a model with default options (device AUTO).
   *
   * @param model a {@code .safetensors} or {@code .onnx} file (or any format a backend on the class
   *     path accepts)
   * @return the re-ager; the caller closes it
   * @throws IOException if the file is missing, unreadable, not a valid model, or no backend
   *     accepts it ({@link NoBackendException} lists the backends found)
   */
  public static ReAger load(Path model) throws IOException {
    return builder().setModel(model).build();
  }

  /** {@return a builder for options} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Re-ages an image from one age to another.
   *
   * @param image the face image (any common type)
   * @param inputAge the person's apparent age in the image, in years
   * @param targetAge the desired age in years
   * @return a new image of the same size, bit depth and alpha
   * @throws IllegalArgumentException for a null or empty image or an age that is NaN, infinite,
   *     negative or over 150
   */
  public BufferedImage reage(BufferedImage image, double inputAge, double targetAge) {
    AgeMap.checkAge(inputAge, "inputAge");
    AgeMap.checkAge(targetAge, "targetAge");
    return reage(image, AgeMap.constant(inputAge), AgeMap.constant(targetAge));
  }

  /**
   * Re-ages an image with per-pixel ages (localized re-aging). Where the two maps agree the model
   * is asked for no change.
   *
   * @param image the face image
   * @param inputAge the apparent age per pixel
   * @param targetAge the desired age per pixel
   * @return a new image of the same size, bit depth and alpha
   */
  public BufferedImage reage(BufferedImage image, AgeMap inputAge, AgeMap targetAge) {
    checkArgument(inputAge != null, "inputAge map is null");
    checkArgument(targetAge != null, "targetAge map is null");
    checkPixels(image);
    if (pipeline != null) {
      checkOpen();
      return pipeline.reage(generator, image, inputAge, targetAge);
    }
    PlanarImage planar = PlanarImage.fromBufferedImage(image);
    float[] delta = predictDeltas(planar, inputAge, List.of(targetAge)).get(0);
    return apply(planar, delta).toBufferedImage();
  }

  /**
   * Re-ages one image to several target ages, batching the model calls.
   *
   * @param image the face image
   * @param inputAge the person's apparent age
   * @param targetAges the ages to produce, in order
   * @return one image per target age
   */
  public List<BufferedImage> sweep(BufferedImage image, double inputAge, double... targetAges) {
    AgeMap.checkAge(inputAge, "inputAge");
    checkArgument(targetAges != null && targetAges.length > 0, "no target ages given");
    List<AgeMap> targets = new ArrayList<>();
    for (double t : targetAges) {
      targets.add(AgeMap.constant(AgeMap.checkAge(t, "target age")));
    }
    checkPixels(image);
    if (pipeline != null) {
      checkOpen();
      // One detection serves every target age.
      return ImmutableList.copyOf(pipeline.sweep(generator, image, pipeline.detect(image),
          AgeMap.constant(inputAge), targets));
    }
    PlanarImage planar = PlanarImage.fromBufferedImage(image);
    List<float[]> deltas = predictDeltas(planar, AgeMap.constant(inputAge), targets);
    ImmutableList.Builder<BufferedImage> out = ImmutableList.builder();
    for (float[] d : deltas) {
      out.add(apply(planar, d).toBufferedImage());
    }
    return out.build();
  }

  /**
   * Runs the generator on one image for several target age maps and returns the raw deltas,
   * {@code 3 * H * W} values each (channel-major), before they are added to the image. This is
   * the building block of the production pipeline (crops, paste-back, tiling).
   *
   * @param image the image at the size to run
   * @param inputAge the apparent age per pixel
   * @param targetAges the target age maps
   * @return one delta per target age map
   */
  public List<float[]> predictDeltas(PlanarImage image, AgeMap inputAge, List<AgeMap> targetAges) {
    checkNotNull(image, "image");
    checkArgument(!targetAges.isEmpty(), "no target ages given");
    checkOpen();
    int w = image.width();
    int h = image.height();
    int m = generator.sizeMultiple();
    int min = generator.minimumSize();
    int pw = (Math.max(w, min) + m - 1) / m * m;
    int ph = (Math.max(h, min) + m - 1) / m * m;
    float[] rgb = PlanarImage.replicatePad(image.rgb(), 3, w, h, pw, ph);
    float[] in = PlanarImage.replicatePad(inputAge.render(w, h), 1, w, h, pw, ph);
    int perImage = GeneratorInput.CHANNELS * pw * ph;
    List<float[]> deltas = new ArrayList<>(targetAges.size());
    for (int start = 0; start < targetAges.size(); start += batchSize) {
      int n = Math.min(batchSize, targetAges.size() - start);
      float[] batch = new float[n * perImage];
      for (int i = 0; i < n; i++) {
        float[] out = PlanarImage.replicatePad(
            targetAges.get(start + i).render(w, h), 1, w, h, pw, ph);
        GeneratorInput.write(rgb, in, out, batch, i * perImage);
      }
      Tensor delta = generator.predict(Tensor.wrap(batch, n, GeneratorInput.CHANNELS, ph, pw));
      checkState(delta, n, ph, pw);
      // Copy each image's unpadded rows straight out of the batch: one copy, no intermediates.
      FloatBuffer all = delta.floatBuffer();
      for (int i = 0; i < n; i++) {
        float[] one = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < h; y++) {
            all.get(((i * 3 + c) * ph + y) * pw, one, (c * h + y) * w, w);
          }
        }
        deltas.add(one);
      }
    }
    return deltas;
  }

  private static PlanarImage apply(PlanarImage image, float[] delta) {
    float[] rgb = image.rgb();
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] += delta[i];
    }
    return image.withRgb(rgb);
  }

  private void checkState(Tensor delta, int n, int h, int w) {
    if (!delta.hasShape(n, 3, h, w)) {
      throw new IllegalStateException("backend " + generator.describe() + " returned a delta of "
          + delta + ", expected [" + n + ", 3, " + h + ", " + w + "]");
    }
  }

  private void checkPixels(BufferedImage image) {
    checkArgument(image != null, "image is null");
    long px = (long) image.getWidth() * image.getHeight();
    if (maxPixels > 0 && px > maxPixels) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "image of %dx%d = %,d pixels exceeds the pixel limit of %,d; downscale it or raise the "
              + "limit with optMaxPixels", image.getWidth(), image.getHeight(), px, maxPixels));
    }
  }

  /** {@return the face pipeline when one is configured (a detector or face box was set)} */
  public Optional<FacePipeline> pipeline() {
    return Optional.ofNullable(pipeline);
  }

  /** {@return the loaded generator (owned by this re-ager: do not close it yourself)} */
  public Generator generator() {
    return generator;
  }

  /** {@return the backend and device in use, e.g. {@code onnxruntime (cpu)}} */
  public String describe() {
    return generator.describe();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("ReAger is closed");
    }
  }

  /** Releases the backend. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      generator.close();
    }
  }

  /**
   * Builds a {@link ReAger}. Exactly one of {@link #setModel} and {@link #setGenerator} is
   * required; everything else is optional. Not thread-safe.
   */
  public static final class Builder {
    private Path model;
    private Generator generator;
    private String backend;
    private final BackendOptions.Builder options = BackendOptions.builder();
    private int batchSize = 4;
    private FacePipeline pipeline;
    private FacePipeline.Builder pipelineBuilder;
    private long maxPixels;

    private Builder() {}

    private FacePipeline.Builder pipelineBuilder() {
      if (pipelineBuilder == null) {
        pipelineBuilder = FacePipeline.builder();
      }
      return pipelineBuilder;
    }

    /**
     * Finds faces with a detector and re-ages each one through the production pipeline. The
     * caller keeps ownership of the detector (closing the re-ager does not close it).
     *
     * @param v the detector, e.g. {@code OnnxFaceDetector} from fran-onnx
     * @return this builder
     */
    public Builder optFaceDetector(FaceDetector v) {
      pipelineBuilder().optFaceDetector(v);
      return this;
    }

    /**
     * Re-ages a fixed face box through the production pipeline (crop, re-age, paste back).
     *
     * @param x left edge
     * @param y top edge
     * @param width width
     * @param height height
     * @return this builder
     */
    public Builder optFaceBox(int x, int y, int width, int height) {
      pipelineBuilder().optFaceBox(x, y, width, height);
      return this;
    }

    /**
     * Sets what the pipeline does when no face is found (default: return the image unchanged with
     * a warning). Implies the face pipeline (with the whole image as the face unless a detector or
     * box is set).
     *
     * @param v the policy
     * @return this builder
     */
    public Builder optNoFacePolicy(NoFacePolicy v) {
      pipelineBuilder().optNoFacePolicy(v);
      return this;
    }

    /**
     * Sets the memory budget of one model call in the face pipeline; larger crops run as
     * feathered tiles. Implies the face pipeline.
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder optMemoryBudget(long bytes) {
      pipelineBuilder().optMemoryBudget(bytes);
      return this;
    }

    /**
     * Uses a fully configured face pipeline (overrides the other face options).
     *
     * @param v the pipeline
     * @return this builder
     */
    public Builder optPipeline(FacePipeline v) {
      pipeline = checkNotNull(v, "pipeline");
      return this;
    }

    /**
     * Rejects images larger than this many pixels with a clear error (default: no limit here;
     * the face pipeline has its own limit, 100 megapixels by default).
     *
     * @param v a positive pixel count
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      checkArgument(v > 0, "pixel limit must be > 0, got %s", v);
      maxPixels = v; // handed to the face pipeline in build(), whatever the call order
      return this;
    }

    /**
     * Sets the model file to load.
     *
     * @param v the model file
     * @return this builder
     */
    public Builder setModel(Path v) {
      model = checkNotNull(v, "model path is null");
      return this;
    }

    /**
     * Uses an already loaded generator (e.g. one a trainer holds); the re-ager takes ownership
     * and closes it.
     *
     * @param v the generator
     * @return this builder
     */
    public Builder setGenerator(Generator v) {
      generator = checkNotNull(v, "generator is null");
      return this;
    }

    /**
     * Forces a backend by name instead of choosing by file type.
     *
     * @param v a {@link io.github.fran4j.core.spi.BackendProvider#name()}
     * @return this builder
     */
    public Builder optBackend(String v) {
      backend = checkNotNull(v, "backend");
      return this;
    }

    /**
     * Sets the device (default {@link Device#AUTO}: CUDA when usable, else CPU).
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      options.optDevice(v);
      return this;
    }

    /**
     * Sets the backend's intra-op thread count (default: the backend's choice).
     *
     * @param v 0 for the default, or a positive count
     * @return this builder
     */
    public Builder optThreads(int v) {
      options.optThreads(v);
      return this;
    }

    /**
     * Sets the backend's graph optimization level (e.g. {@code basic} or {@code all}).
     *
     * @param v the level
     * @return this builder
     */
    public Builder optOptimization(String v) {
      options.optOptimization(v);
      return this;
    }

    /**
     * Sets how many target ages an age sweep runs per model call (default 4).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optBatchSize(int v) {
      checkArgument(v >= 1, "batchSize must be >= 1, got %s", v);
      batchSize = v;
      return this;
    }

    /**
     * Loads the model and returns the re-ager.
     *
     * @return the re-ager; the caller closes it
     * @throws IOException if the model cannot be loaded
     * @throws IllegalStateException if neither or both of a model and a generator were set
     */
    public ReAger build() throws IOException {
      if ((model == null) == (generator == null)) {
        throw new IllegalStateException(
            "set exactly one of setModel(Path) and setGenerator(Generator)");
      }
      FacePipeline p = pipeline;
      if (p == null && pipelineBuilder != null) {
        if (maxPixels > 0) {
          pipelineBuilder.optMaxPixels(maxPixels);
        }
        p = pipelineBuilder.optBatchSize(batchSize).build();
      }
      // Open the backend last: a bad pipeline option must not leave native resources behind.
      Generator g = generator != null ? generator : Backends.open(model, backend, options.build());
      return new ReAger(g, batchSize, p, maxPixels);
    }
  }
}
