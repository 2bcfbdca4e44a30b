package io.github.fran4j.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.CommunityRecipe;
import io.github.fran4j.core.pipeline.DeltaRunner;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.PhotoMemory;
import io.github.fran4j.core.pipeline.PixelLimit;
import io.github.fran4j.core.pipeline.WorkingImages;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Backends;
import io.github.fran4j.core.spi.CloseGuard;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * Every path runs the generator through one {@link DeltaRunner}: sizes the model cannot take (not
 * a multiple of its {@code UNetConfig.sizeMultiple()}, 2^depth) are padded by edge replication and
 * the delta is cropped back, on every backend alike, so the backend never changes the pixels.
 * Images over {@link DeltaRunner#DEFAULT_MAX_PIXELS} are refused unless the limit is raised; with
 * {@link Builder#optPhotoMemory} the limit also follows a memory budget, and {@link #pixelLimit()}
 * gives it to {@link io.github.fran4j.core.pipeline.Photos#read(Path, PixelLimit, boolean)} so
 * that a photo over it is refused before it is decoded.
 *
 * <p>The face pipeline is an explicit choice ({@link Builder#optFaceDetector},
 * {@link Builder#optFaceBox}, or a whole {@link FacePipeline} via {@link Builder#optFacePipeline}):
 * then {@code reage} and {@code sweep} find faces, align each to the model's crop, re-age it, and
 * paste only the delta back into the full-resolution frame through a feathered mask (see
 * {@link FacePipeline}); pixels outside the faces are unchanged. Face-only options without that
 * choice are refused by {@link Builder#build()}, since the pipeline resamples the image.
 *
 * <p>{@link Builder#optCommunityRecipe} replaces the aligned pipeline with the community model's
 * inference recipe ({@link CommunityRecipe}: a square crop around each face box, windows, only the
 * delta pasted back); faces come from the chosen detector or face box, or the whole image is the
 * face box. It takes constant ages. This is what {@code fran reage --recipe community} runs.
 *
 * <p>Errors: {@link FranException} and its subtypes for model, backend, device and engine
 * failures; {@link IllegalArgumentException} for bad arguments; {@link java.io.IOException} for
 * files that cannot be read.
 *
 * <p>Thread-safe: one instance may serve many threads at once. {@link #close()} waits for the calls
 * in flight (including their use of a face detector, so the detector may be closed right after),
 * then releases the backend's native resources; calls after it throw
 * {@link IllegalStateException} (see {@link CloseGuard}).
 */
public final class ReAger implements AutoCloseable {
  private final Generator generator;
  private final DeltaRunner runner;
  private final FacePipeline pipeline;
  private final long maxPixels;
  private final PixelLimit limit;
  private final CommunityRecipe recipe;
  private final CloseGuard guard = new CloseGuard("ReAger");

  /** What messages call a model loaded from memory without a name. */
  private static final String IN_MEMORY = "in-memory model";

  private ReAger(Generator generator, int batchSize, FacePipeline pipeline, long maxPixels,
      PhotoMemory memory, CommunityRecipe recipe) {
    this.generator = generator;
    this.runner = DeltaRunner.of(generator, batchSize, null);
    this.pipeline = pipeline;
    this.maxPixels = maxPixels;
    PixelLimit plain = PixelLimit.of(maxPixels);
    // A foreign model states no configuration: size its cost as the paper's (width 64).
    UNetConfig config = generator.config().orElseGet(UNetConfig::reference);
    this.limit = memory == null ? plain : plain.min(recipe != null
        ? memory.limit(PhotoMemory.Mode.COMMUNITY, config, 0)
        : pipeline == null
        ? memory.limit(PhotoMemory.Mode.FULL, config, 0)
        : memory.limit(PhotoMemory.Mode.ALIGNED, config, pipeline.cropResolution()));
    this.recipe = recipe;
  }

  /**
   * Loads a model with default options (device AUTO).
   *
   * @param model a {@code .safetensors} or {@code .onnx} file (or any format a backend on the class
   *     path accepts)
   * @return the re-ager; the caller closes it
   * @throws IOException if the file is missing or unreadable
   * @throws ModelFormatException if the file is not a valid model
   * @throws NoBackendException if no backend accepts it (listing the backends found)
   * @throws DeviceUnavailableException never with the default device AUTO
   */
  public static ReAger load(Path model) throws IOException {
    return builder().setModel(model).build();
  }

  /**
   * Loads a model held in memory with default options (device AUTO), e.g. one a server received
   * or read from a database: nothing is written to disk. The format is told from the content.
   *
   * @param model the bytes of a {@code .safetensors} or {@code .onnx} model (or any format a
   *     backend on the class path accepts from memory)
   * @return the re-ager; the caller closes it
   * @throws ModelFormatException if the bytes are not a valid model
   * @throws NoBackendException if no backend accepts them (listing the backends found)
   * @throws IOException if a backend cannot read them
   */
  public static ReAger load(byte[] model) throws IOException {
    return builder().setModel(model, IN_MEMORY).build();
  }

  /**
   * Loads a model from a stream with default options (device AUTO); reads the stream to its end
   * but does not close it.
   *
   * @param model a stream of the bytes of a model, as for {@link #load(byte[])}
   * @return the re-ager; the caller closes it
   * @throws ModelFormatException if the bytes are not a valid model
   * @throws NoBackendException if no backend accepts them (listing the backends found)
   * @throws IOException if the stream cannot be read
   */
  public static ReAger load(InputStream model) throws IOException {
    checkNotNull(model, "model");
    return load(model.readAllBytes());
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
   * @throws IllegalArgumentException with the community recipe, if a map is not constant
   */
  public BufferedImage reage(BufferedImage image, AgeMap inputAge, AgeMap targetAge) {
    checkNotNull(inputAge, "inputAge map");
    checkNotNull(targetAge, "targetAge map");
    checkNotNull(image, "image");
    return reage(List.of(ReAgeRequest.of(image, inputAge, targetAge))).get(0);
  }

  /**
   * Re-ages several images in one go, batching the model calls: images of one size share calls
   * (up to the batch size, {@link Builder#optBatchSize}) on the whole-image path, and with a face
   * pipeline the crops of every face of every image do (they all have the crop resolution). Each
   * output equals, bit for bit, what {@link #reage(BufferedImage, AgeMap, AgeMap)} returns for
   * its image alone on the CPU backends (pure Java and ONNX Runtime compute the images of a batch
   * independently; tested for both); on a GPU, kernels picked per batch size may differ in the
   * last bits.
   *
   * <p>A request may carry its faces ({@link ReAgeRequest#withFaces}): the face pipeline then
   * re-ages them without detecting again. One failing image (too large, no face under
   * {@link NoFacePolicy#THROW}) fails the whole call; re-age the images one by one to find it.
   *
   * @param requests the images and their ages, at least one
   * @return one new image per request, in order, each of its image's size, bit depth and alpha
   * @throws IllegalArgumentException for an empty list, an image over the pixel limit, or faces
   *     given to a re-ager without a face pipeline
   */
  public List<BufferedImage> reage(List<ReAgeRequest> requests) {
    checkNotNull(requests, "requests");
    checkArgument(!requests.isEmpty(), "no requests given");
    for (int i = 0; i < requests.size(); i++) {
      ReAgeRequest r = checkNotNull(requests.get(i), "request %s", i);
      checkPixels(r.image());
      checkArgument(pipeline != null || recipe != null || r.faces().isEmpty(), "request %s gives "
          + "faces, but this re-ager has no face pipeline (the whole image is the face)", i);
    }
    try (CloseGuard.Call c = guard.enter("reage")) {
      if (recipe != null) {
        // The community recipe runs its windows per image; faces given are not detected again.
        List<BufferedImage> out = new ArrayList<>(requests.size());
        for (ReAgeRequest r : requests) {
          List<Face> faces = r.faces().orElseGet(() -> detectForRecipe(r.image()));
          out.add(reageFaces(r.image(), faces, constant(r.inputAge(), "inputAge"),
              List.of(constant(r.targetAge(), "targetAge"))).get(0));
        }
        return ImmutableList.copyOf(out);
      }
      if (pipeline != null) {
        List<FacePipeline.Frame> frames = new ArrayList<>(requests.size());
        for (ReAgeRequest r : requests) {
          frames.add(new FacePipeline.Frame(r.image(), r.faces().orElse(null), r.inputAge(),
              List.of(r.targetAge())));
        }
        return ImmutableList.copyOf(pipeline.reage(generator, frames));
      }
      return reageWhole(requests);
    }
  }

  /** The whole-image path: images grouped by size, each group through the one runner. */
  private List<BufferedImage> reageWhole(List<ReAgeRequest> requests) {
    Map<List<Integer>, List<Integer>> bySize = new LinkedHashMap<>();
    for (int i = 0; i < requests.size(); i++) {
      BufferedImage img = requests.get(i).image();
      bySize.computeIfAbsent(List.of(img.getWidth(), img.getHeight()), k -> new ArrayList<>())
          .add(i);
    }
    BufferedImage[] out = new BufferedImage[requests.size()];
    for (Map.Entry<List<Integer>, List<Integer>> group : bySize.entrySet()) {
      int w = group.getKey().get(0);
      int h = group.getKey().get(1);
      List<PlanarImage> planars = new ArrayList<>();
      List<DeltaRunner.Job> jobs = new ArrayList<>();
      for (int i : group.getValue()) {
        ReAgeRequest r = requests.get(i);
        PlanarImage planar = PlanarImage.fromBufferedImage(r.image());
        planars.add(planar);
        jobs.add(new DeltaRunner.Job(planar.rgb(), r.inputAge().render(w, h),
            r.targetAge().render(w, h)));
      }
      List<float[]> deltas = runner.deltas(jobs, w, h);
      for (int k = 0; k < deltas.size(); k++) {
        out[group.getValue().get(k)] = apply(planars.get(k), deltas.get(k)).toBufferedImage();
      }
    }
    return ImmutableList.copyOf(out);
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
    checkNotNull(targetAges, "targetAges");
    checkArgument(targetAges.length > 0, "no target ages given");
    List<AgeMap> targets = new ArrayList<>();
    for (double t : targetAges) {
      targets.add(AgeMap.constant(AgeMap.checkAge(t, "target age")));
    }
    checkPixels(image);
    try (CloseGuard.Call c = guard.enter("sweep")) {
      if (recipe != null) {
        List<Double> ages = new ArrayList<>();
        for (double t : targetAges) {
          ages.add(t);
        }
        return ImmutableList.copyOf(reageFaces(image, detectForRecipe(image), inputAge, ages));
      }
      if (pipeline != null) {
        // One detection serves every target age.
        return ImmutableList.copyOf(pipeline.sweep(generator, image, pipeline.detect(image),
            AgeMap.constant(inputAge), targets));
      }
      PlanarImage planar = PlanarImage.fromBufferedImage(image);
      List<float[]> deltas = runner.deltas(planar, AgeMap.constant(inputAge), targets);
      ImmutableList.Builder<BufferedImage> out = ImmutableList.builder();
      for (float[] d : deltas) {
        out.add(apply(planar, d).toBufferedImage());
      }
      return out.build();
    }
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
    checkNotNull(targetAges, "targetAges");
    checkArgument(!targetAges.isEmpty(), "no target ages given");
    try (CloseGuard.Call c = guard.enter("predictDeltas")) {
      return runner.deltas(image, checkNotNull(inputAge, "inputAge"), targetAges);
    }
  }

  /**
   * Re-ages the given face boxes of an image with the {@linkplain Builder#optCommunityRecipe
   * community recipe}, e.g. boxes found once and smoothed over a video's frames. With no boxes
   * and no face detector or box chosen, the whole image is the face box; with no boxes found by
   * one, the image is returned unchanged.
   *
   * @param image the frame
   * @param faces the face boxes
   * @param inputAge the apparent age, years
   * @param targetAges the ages to produce, in order
   * @return one image per target age, in the working layout ({@link WorkingImages}: RGB(A), the
   *     input's 8 or 16 bits)
   * @throws IllegalStateException if this re-ager was built without the community recipe
   */
  public List<BufferedImage> reageFaces(BufferedImage image, List<Face> faces, double inputAge,
      List<Double> targetAges) {
    checkNotNull(faces, "faces");
    checkNotNull(targetAges, "targetAges");
    checkArgument(!targetAges.isEmpty(), "no target ages given");
    if (recipe == null) {
      throw new IllegalStateException("reageFaces needs the community recipe: build the ReAger "
          + "with optCommunityRecipe(...)");
    }
    AgeMap.checkAge(inputAge, "inputAge");
    checkPixels(image);
    try (CloseGuard.Call c = guard.enter("reageFaces")) {
      List<Face> boxes = faces.isEmpty() && pipeline == null
          ? List.of(Face.of(0, 0, image.getWidth(), image.getHeight(), 1)) : faces;
      List<BufferedImage> outs = new ArrayList<>();
      for (double t : targetAges) {
        AgeMap.checkAge(t, "target age");
        BufferedImage work = WorkingImages.toWorking(image);
        for (Face f : boxes) {
          recipe.apply(generator, work, f, inputAge, t);
        }
        outs.add(work);
      }
      return outs;
    }
  }

  private List<Face> detectForRecipe(BufferedImage image) {
    return pipeline == null ? List.of() : pipeline.detect(image);
  }

  private static double constant(AgeMap map, String what) {
    return map.constantAge().orElseThrow(() -> new IllegalArgumentException(
        "the community recipe takes a constant " + what + ", not a per-pixel age map"));
  }

  /** {@return the community recipe, when chosen with {@link Builder#optCommunityRecipe}} */
  public Optional<CommunityRecipe> communityRecipe() {
    return Optional.ofNullable(recipe);
  }

  private static PlanarImage apply(PlanarImage image, float[] delta) {
    float[] rgb = image.rgb();
    for (int i = 0; i < rgb.length; i++) {
      rgb[i] += delta[i];
    }
    return image.withRgb(rgb);
  }

  private void checkPixels(BufferedImage image) {
    checkNotNull(image, "image");
    DeltaRunner.checkPixels(image.getWidth(), image.getHeight(), maxPixels);
    if (!limit.accepts(image.getWidth(), image.getHeight())) {
      throw new IllegalArgumentException(limit.refusal("image", image.getWidth(), image.getHeight()));
    }
  }

  /**
   * Returns the largest image this re-ager accepts: the pixel limit, or the stricter limit of the
   * memory budget ({@link Builder#optPhotoMemory}) at this re-ager's mode (the whole image, or
   * aligned face crops). Pass it to
   * {@link io.github.fran4j.core.pipeline.Photos#read(Path, PixelLimit, boolean)} to refuse a photo
   * over it before decoding.
   *
   * @return the limit, with its source for messages
   */
  public PixelLimit pixelLimit() {
    return limit;
  }

  /** {@return the one runner of the generator that every path of this re-ager uses} */
  public DeltaRunner runner() {
    return runner;
  }

  /** {@return the face pipeline when one was chosen (a detector, a face box or a pipeline)} */
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

  /**
   * Waits for the calls in flight, then releases the backend. Idempotent.
   *
   * @throws IllegalStateException if called from inside one of this re-ager's own calls
   */
  @Override
  public void close() {
    guard.close(generator::close);
  }

  /**
   * Builds a {@link ReAger}. Exactly one of the {@code setModel} methods and
   * {@link #setGenerator} is
   * required; everything else is optional. Not thread-safe.
   */
  public static final class Builder {
    private Path model;
    private byte[] modelBytes;
    private String modelName;
    private Generator generator;
    private String backend;
    private final BackendOptions.Builder options = BackendOptions.builder();
    private int batchSize = DeltaRunner.DEFAULT_BATCH_SIZE;
    private FacePipeline pipeline;
    private FacePipeline.Builder pipelineBuilder;
    private boolean faceChosen;
    private final List<String> faceOnlyOptions = new ArrayList<>();
    private long maxPixels = DeltaRunner.DEFAULT_MAX_PIXELS;
    private PhotoMemory photoMemory;
    private CommunityRecipe recipe;

    private Builder() {}

    /**
     * Re-ages with the community model's inference recipe instead of the aligned face pipeline
     * (the builder form of {@code fran reage --recipe community}): each face box found by the
     * detector or given by {@link #optFaceBox} (the whole image without either) is cropped,
     * run in windows and only its delta pasted back. Default: off.
     *
     * @param v the recipe, usually {@link CommunityRecipe#create()}
     * @return this builder
     */
    public Builder optCommunityRecipe(CommunityRecipe v) {
      recipe = checkNotNull(v, "recipe");
      return this;
    }

    private FacePipeline.Builder pipelineBuilder() {
      if (pipelineBuilder == null) {
        pipelineBuilder = FacePipeline.builder();
      }
      return pipelineBuilder;
    }

    /**
     * Chooses the face pipeline with a detector: faces are found and each one is re-aged through
     * the production pipeline. The caller keeps ownership of the detector (closing the re-ager
     * does not close it).
     *
     * @param v the detector, e.g. {@code OnnxFaceDetector} from fran-onnx
     * @return this builder
     */
    public Builder optFaceDetector(FaceDetector v) {
      pipelineBuilder().optFaceDetector(checkNotNull(v, "detector"));
      faceChosen = true;
      return this;
    }

    /**
     * Chooses the face pipeline with a fixed face box (crop, re-age, paste back).
     *
     * @param x left edge
     * @param y top edge
     * @param width width
     * @param height height
     * @return this builder
     */
    public Builder optFaceBox(int x, int y, int width, int height) {
      pipelineBuilder().optFaceBox(x, y, width, height);
      faceChosen = true;
      return this;
    }

    /**
     * Sets what the face pipeline does when no face is found (default: return the image unchanged
     * with a warning). A face-pipeline option: {@link #build()} refuses it unless the pipeline
     * was chosen with {@link #optFaceDetector} or {@link #optFaceBox}.
     *
     * @param v the policy
     * @return this builder
     */
    public Builder optNoFacePolicy(NoFacePolicy v) {
      pipelineBuilder().optNoFacePolicy(checkNotNull(v, "noFacePolicy"));
      faceOnlyOptions.add("optNoFacePolicy");
      return this;
    }

    /**
     * Sets the memory budget of one model call in the face pipeline; larger crops run as
     * feathered tiles. A face-pipeline option: {@link #build()} refuses it unless the pipeline
     * was chosen with {@link #optFaceDetector} or {@link #optFaceBox}.
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder optMemoryBudget(long bytes) {
      pipelineBuilder().optMemoryBudget(bytes);
      faceOnlyOptions.add("optMemoryBudget");
      return this;
    }

    /**
     * Chooses the face pipeline, fully configured. It cannot be combined with the face options of
     * this builder ({@link #optFaceDetector}, {@link #optFaceBox}, {@link #optNoFacePolicy},
     * {@link #optMemoryBudget}): set those on the {@link FacePipeline.Builder} instead.
     *
     * @param v the pipeline
     * @return this builder
     */
    public Builder optFacePipeline(FacePipeline v) {
      pipeline = checkNotNull(v, "pipeline");
      return this;
    }

    /**
     * Same as {@link #optFacePipeline}.
     *
     * @param v the pipeline
     * @return this builder
     * @deprecated use {@link #optFacePipeline}, which says what it chooses
     */
    @Deprecated
    public Builder optPipeline(FacePipeline v) {
      return optFacePipeline(v);
    }

    /**
     * Rejects images larger than this many pixels with a clear error (default
     * {@link DeltaRunner#DEFAULT_MAX_PIXELS}); applies to the whole-image path and the face
     * pipeline built here alike.
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
     * Bounds the pixel limit by a memory budget for one photo (see {@link PhotoMemory}: measured
     * bytes per pixel at the whole-image or aligned-crop mode, for this model's width). Without
     * it only {@link #optMaxPixels} applies. {@link PhotoMemory#ofMaxHeap()} sizes it to the
     * JVM's heap.
     *
     * @param v the budget
     * @return this builder
     */
    public Builder optPhotoMemory(PhotoMemory v) {
      photoMemory = checkNotNull(v, "photoMemory");
      return this;
    }

    /**
     * Sets the model file to load.
     *
     * @param v the model file
     * @return this builder
     */
    public Builder setModel(Path v) {
      model = checkNotNull(v, "model path");
      return this;
    }

    /**
     * Sets a model held in memory, to be opened without touching the disk; the format is told
     * from the content (see {@code Backends.open(byte[], ...)}).
     *
     * @param v the model's bytes (kept by reference until {@link #build()}; do not modify them)
     * @param name a name for messages, e.g. the upload's file name
     * @return this builder
     */
    public Builder setModel(byte[] v, String name) {
      modelBytes = checkNotNull(v, "model bytes");
      modelName = checkNotNull(name, "name");
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
      generator = checkNotNull(v, "generator");
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
     * Sets how cuDNN picks convolution algorithms on a CUDA device; see
     * {@link BackendOptions.Builder#optCudnnConvAlgoSearch}.
     *
     * @param v {@code exhaustive}, {@code heuristic} or {@code default}
     * @return this builder
     */
    public Builder optCudnnConvAlgoSearch(String v) {
      options.optCudnnConvAlgoSearch(v);
      return this;
    }

    /**
     * Lets cuDNN use its maximum workspace; see {@link BackendOptions.Builder#optCudaMaxWorkspace}.
     *
     * @param v whether to allow it
     * @return this builder
     */
    public Builder optCudaMaxWorkspace(boolean v) {
      options.optCudaMaxWorkspace(v);
      return this;
    }

    /**
     * Limits the CUDA memory arena; see {@link BackendOptions.Builder#optGpuMemoryLimit}.
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder optGpuMemoryLimit(long bytes) {
      options.optGpuMemoryLimit(bytes);
      return this;
    }

    /**
     * Asks for the TensorRT execution provider ahead of CUDA; see
     * {@link BackendOptions.Builder#optTensorRt}.
     *
     * @param v whether to use TensorRT
     * @return this builder
     */
    public Builder optTensorRt(boolean v) {
      options.optTensorRt(v);
      return this;
    }

    /**
     * Sets a backend option without a typed setter; see {@link BackendOptions.Builder#optOption}
     * and {@link io.github.fran4j.core.spi.BackendOptionKeys}.
     *
     * @param key a namespaced key, e.g. {@code cuda.arena_extend_strategy}
     * @param value its value
     * @return this builder
     */
    public Builder optOption(String key, String value) {
      options.optOption(key, value);
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
     * @throws IOException if the model file is missing or unreadable
     * @throws ModelFormatException if the file is not a valid model
     * @throws NoBackendException if no backend (or not the forced one) accepts the file
     * @throws DeviceUnavailableException if an explicitly requested device cannot be used
     * @throws IllegalStateException if neither or both of a model and a generator were set, or
     *     face-pipeline options conflict or were given without choosing the face pipeline
     */
    public ReAger build() throws IOException {
      int sources = (model != null ? 1 : 0) + (modelBytes != null ? 1 : 0)
          + (generator != null ? 1 : 0);
      if (sources != 1) {
        throw new IllegalStateException("set exactly one of setModel(Path),"
            + " setModel(byte[], String) and setGenerator(Generator)");
      }
      if (pipeline != null && pipelineBuilder != null) {
        throw new IllegalStateException("optFacePipeline(FacePipeline) cannot be combined with "
            + "optFaceDetector, optFaceBox, optNoFacePolicy or optMemoryBudget; set those on the "
            + "FacePipeline.Builder instead");
      }
      if (!faceChosen && !faceOnlyOptions.isEmpty()) {
        boolean one = faceOnlyOptions.size() == 1;
        throw new IllegalStateException(String.join(" and ", faceOnlyOptions)
            + (one ? " only applies" : " only apply") + " to the face pipeline, which re-ages "
            + "aligned crops instead of the whole image; choose it with optFaceDetector, "
            + "optFaceBox or optFacePipeline, or drop " + (one ? "the option" : "the options"));
      }
      FacePipeline p = pipeline;
      if (p == null && faceChosen) {
        p = pipelineBuilder.optMaxPixels(maxPixels).optBatchSize(batchSize).build();
      }
      // Open the backend last: a bad pipeline option must not leave native resources behind.
      Generator g = generator != null ? generator
          : model != null ? Backends.open(model, backend, options.build())
          : Backends.open(modelBytes, modelName, backend, options.build());
      return new ReAger(g, batchSize, p, maxPixels, photoMemory, recipe);
    }
  }
}
