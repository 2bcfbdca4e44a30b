package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.base.Supplier;
import com.google.common.base.Suppliers;
import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.spi.Generator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production face path of {@code ReAger}: detect faces, align each to a square crop, re-age
 * the crop at the model's resolution through the one {@link DeltaRunner} (as feathered tiles when
 * it is larger than the tile size), and add the delta, resized back, to the full-resolution frame through a {@link FeatherMask}.
 *
 * <p>Outside every crop (and wherever the mask is 0) the output's samples equal the input's
 * (after conversion to the {@link WorkingImages working layout}, which is the identity for 8-bit
 * RGB(A) images). Inside, the frame keeps its own detail: only the model's delta is resampled.
 * Ages: the target age inside a crop fades to the input age with the same mask, so that "outside
 * the face, target age = input age"; {@link AgeMap}s are over the whole frame (per-pixel maps are
 * stretched to the frame's size), so localized re-aging works as in the whole-image path.
 *
 * <p>Immutable and thread-safe when its detector is; build with {@link #builder()}.
 */
public final class FacePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(FacePipeline.class);

  private final FaceDetector detector;
  private final FaceAligner aligner;
  private final FeatherMask mask;
  private final int cropResolution;
  private final int minFaceSize;
  private final int maxFaces;
  private final NoFacePolicy noFacePolicy;
  private final int tileSize;
  private final long memoryBudget;
  private final int tileOverlap;
  private final long maxPixels;
  private final int batchSize;

  private FacePipeline(Builder b) {
    this.detector = b.detector;
    this.aligner = b.aligner;
    this.mask = new FeatherMask(b.feather);
    this.cropResolution = b.cropResolution;
    this.minFaceSize = b.minFaceSize;
    this.maxFaces = b.maxFaces;
    this.noFacePolicy = b.noFacePolicy;
    this.tileSize = b.tileSize;
    this.memoryBudget = b.memoryBudget;
    this.tileOverlap = b.tileOverlap;
    this.maxPixels = b.maxPixels;
    this.batchSize = b.batchSize;
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the face detector} */
  public FaceDetector detector() {
    return detector;
  }

  /** {@return the crop side faces are re-aged at, 0 for the model's own resolution} */
  public int cropResolution() {
    return cropResolution;
  }

  /** {@return the aligner that turns a face into its crop (and so where a face's change may go)} */
  public FaceAligner aligner() {
    return aligner;
  }

  /** {@return the largest accepted image, in pixels} */
  public long maxPixels() {
    return maxPixels;
  }

  /**
   * Checks an image's size against the pixel limit.
   *
   * @param width the width
   * @param height the height
   * @throws IllegalArgumentException naming the size, the limit and how to raise it
   */
  public void checkPixels(int width, int height) {
    DeltaRunner.checkPixels(width, height, maxPixels);
  }

  /**
   * Detects faces and drops those smaller than the minimum size; keeps at most the maximum number
   * of faces, most confident first.
   *
   * @param image the image
   * @return the usable faces, possibly empty
   */
  public List<Face> detect(BufferedImage image) {
    checkNotNull(image, "image");
    checkPixels(image.getWidth(), image.getHeight());
    List<Face> found = detector.detect(image);
    ImmutableList.Builder<Face> out = ImmutableList.builder();
    int n = 0;
    for (Face f : found) {
      if (Math.max(f.width(), f.height()) >= minFaceSize && n < maxFaces) {
        out.add(f);
        n++;
      }
    }
    return out.build();
  }

  /**
   * Re-ages every face in an image.
   *
   * @param g the generator
   * @param image the frame
   * @param inputAge the apparent age (over the frame)
   * @param targetAge the desired age (over the frame)
   * @return a new image in the working layout
   * @throws NoFaceException if no face is found and the policy is {@link NoFacePolicy#THROW}
   */
  public BufferedImage reage(Generator g, BufferedImage image, AgeMap inputAge, AgeMap targetAge) {
    checkNotNull(targetAge, "targetAge");
    return reage(g, List.of(Frame.detecting(image, inputAge, List.of(targetAge)))).get(0);
  }

  /**
   * Re-ages given faces (detection done elsewhere, e.g. smoothed over a sequence) to several target
   * ages; the crops are sampled once and the model runs batched over the targets.
   *
   * @param g the generator
   * @param image the frame
   * @param faces the faces to re-age (empty: the no-face policy applies)
   * @param inputAge the apparent age
   * @param targetAges the desired ages, one output image each
   * @return one new image per target age, in the working layout
   */
  public List<BufferedImage> sweep(Generator g, BufferedImage image, List<Face> faces,
      AgeMap inputAge, List<AgeMap> targetAges) {
    checkNotNull(faces, "faces");
    return reage(g, List.of(Frame.of(image, faces, inputAge, targetAges)));
  }

  /**
   * Re-ages several frames in one go: the crops of every face of every frame (all at the crop
   * resolution) share model calls, up to the batch size each, through one
   * {@link DeltaRunner#deltas(List, int, int)}. A frame's pixels equal those of re-aging it alone
   * when the backend computes each image of a batch independently (the CPU backends do; a GPU's
   * kernels, picked per batch size, may differ in the last bits). {@link #reage(Generator, BufferedImage, AgeMap, AgeMap)} and
   * {@link #sweep} are the one-frame cases of this.
   *
   * @param g the generator
   * @param frames the frames, at least one
   * @return the outputs in order: for each frame, one new image per target age, in the working
   *     layout
   * @throws NoFaceException if a frame has no face and the policy is {@link NoFacePolicy#THROW}
   *     (no output of the call is returned then)
   */
  public List<BufferedImage> reage(Generator g, List<Frame> frames) {
    checkNotNull(g, "generator");
    checkNotNull(frames, "frames");
    checkArgument(!frames.isEmpty(), "no frames given");
    for (Frame f : frames) {
      checkNotNull(f, "frame");
      checkPixels(f.image().getWidth(), f.image().getHeight());
    }
    int multiple = DeltaRunner.sizeMultiple(g);
    int res = roundUp(cropResolution > 0 ? cropResolution : g.resolution(), multiple);
    Supplier<float[]> weights = Suppliers.memoize(() -> maskWeights(res));
    List<BufferedImage> outputs = new ArrayList<>();
    // Every (face, target age) pair of every frame is one job, pasted back in order.
    List<DeltaRunner.Job> jobs = new ArrayList<>();
    List<BufferedImage> pasteInto = new ArrayList<>();
    List<FaceCrop> pasteCrops = new ArrayList<>();
    for (Frame f : frames) {
      // Convert once: the detector reads the working copy (fast packed pixels) and the copy
      // becomes an output.
      BufferedImage frame = WorkingImages.toWorking(f.image());
      List<Face> faces = f.faces() != null ? f.faces() : detect(frame);
      prepare(frame, faces, f, res, weights, outputs, jobs, pasteInto, pasteCrops);
    }
    if (!jobs.isEmpty()) {
      TiledRunner tiler = tiler(g, res);
      List<float[]> deltas = DeltaRunner.of(g, batchSize(g, tiler), tiler).deltas(jobs, res, res);
      for (int j = 0; j < deltas.size(); j++) {
        CropWarper.pasteDelta(pasteInto.get(j), pasteCrops.get(j), deltas.get(j), mask);
      }
    }
    return outputs;
  }

  /**
   * A frame for {@link #reage(Generator, List)}: an image, its faces (or none given: the pipeline
   * detects them), the apparent age and the target ages, one output each.
   *
   * @param image the frame
   * @param faces the faces to re-age (empty: the no-face policy applies), or null to detect them
   * @param inputAge the apparent age over the frame
   * @param targetAges the desired ages over the frame, at least one
   */
  public record Frame(BufferedImage image, List<Face> faces, AgeMap inputAge,
      List<AgeMap> targetAges) {
    /**
     * Checks the arguments and copies the lists.
     *
     * @param image the frame
     * @param faces the faces, or null to detect them
     * @param inputAge the apparent age over the frame
     * @param targetAges the desired ages over the frame, at least one
     */
    public Frame {
      checkNotNull(image, "image");
      faces = faces == null ? null : ImmutableList.copyOf(faces);
      checkNotNull(inputAge, "inputAge");
      checkArgument(targetAges != null && !targetAges.isEmpty(), "no target ages given");
      targetAges = ImmutableList.copyOf(targetAges);
    }

    /**
     * Returns a frame whose faces are given (detection done elsewhere).
     *
     * @param image the frame
     * @param faces the faces to re-age (empty: the no-face policy applies)
     * @param inputAge the apparent age over the frame
     * @param targetAges the desired ages, at least one
     * @return the frame
     */
    public static Frame of(BufferedImage image, List<Face> faces, AgeMap inputAge,
        List<AgeMap> targetAges) {
      return new Frame(image, checkNotNull(faces, "faces"), inputAge, targetAges);
    }

    /**
     * Returns a frame whose faces the pipeline detects.
     *
     * @param image the frame
     * @param inputAge the apparent age over the frame
     * @param targetAges the desired ages, at least one
     * @return the frame
     */
    public static Frame detecting(BufferedImage image, AgeMap inputAge, List<AgeMap> targetAges) {
      return new Frame(image, null, inputAge, targetAges);
    }
  }

  /**
   * Names a detector for messages: its own {@code toString()} when it has one, else its class's
   * simple name; a lambda or anonymous class (whose default text is a JVM-internal name such as
   * {@code Foo$$Lambda$14/0x...}) becomes "a custom FaceDetector".
   */
  static String describe(FaceDetector d) {
    Class<?> c = d.getClass();
    try {
      if (c.getMethod("toString").getDeclaringClass() != Object.class) {
        return d.toString();
      }
    } catch (NoSuchMethodException e) {
      // every class has toString(); fall through to the class name
    }
    String name = c.getSimpleName();
    return c.isSynthetic() || c.isAnonymousClass() || name.isEmpty() || name.contains("$$Lambda")
        ? "a custom FaceDetector" : name;
  }

  /**
   * Adds a frame's outputs (copies of {@code frame}, a working copy of the input that becomes the
   * last one) and its jobs: crops are sampled from the untouched frame before anything is pasted.
   */
  private void prepare(BufferedImage frame, List<Face> faces, Frame f, int res,
      Supplier<float[]> maskWeights,
      List<BufferedImage> outputs, List<DeltaRunner.Job> jobs, List<BufferedImage> pasteInto,
      List<FaceCrop> pasteCrops) {
    BufferedImage image = f.image();
    List<AgeMap> targetAges = f.targetAges();
    if (faces.isEmpty()) {
      String msg = String.format(Locale.ROOT,
          "no face of at least %d px found in the %dx%d image by %s", minFaceSize,
          image.getWidth(), image.getHeight(), describe(detector));
      if (noFacePolicy == NoFacePolicy.THROW) {
        throw new NoFaceException(msg + "; set NoFacePolicy.RETURN_UNCHANGED to pass such images "
            + "through, or give the face box yourself");
      }
      LOG.warn("{}; returning it unchanged", msg);
      for (int i = 0; i < targetAges.size(); i++) {
        outputs.add(i == 0 ? frame : WorkingImages.toWorking(frame));
      }
      return;
    }
    int fw = frame.getWidth();
    int fh = frame.getHeight();
    AgeFrame in = new AgeFrame(f.inputAge(), fw, fh);
    List<AgeFrame> outs = new ArrayList<>();
    for (AgeMap t : targetAges) {
      outs.add(new AgeFrame(t, fw, fh));
    }
    List<FaceCrop> crops = new ArrayList<>();
    List<float[]> rgbs = new ArrayList<>();
    for (Face face : faces) {
      FaceCrop crop = aligner.align(face, res);
      crops.add(crop);
      rgbs.add(CropWarper.sampleRgb(frame, crop));
    }
    float[] weights = maskWeights.get();
    List<BufferedImage> mine = new ArrayList<>();
    for (int t = 0; t < targetAges.size(); t++) {
      mine.add(t == targetAges.size() - 1 ? frame : WorkingImages.toWorking(frame));
    }
    outputs.addAll(mine);
    for (int k = 0; k < crops.size(); k++) {
      FaceCrop crop = crops.get(k);
      float[] inAges = in.sample(crop);
      for (int t = 0; t < outs.size(); t++) {
        float[] tAges = outs.get(t).sample(crop);
        for (int p = 0; p < tAges.length; p++) {
          // Fade the target towards the input age where the mask fades: no change asked there.
          tAges[p] = inAges[p] + (tAges[p] - inAges[p]) * weights[p];
        }
        jobs.add(new DeltaRunner.Job(rgbs.get(k), inAges, tAges));
        pasteInto.add(mine.get(t));
        pasteCrops.add(crop);
      }
    }
  }

  /**
   * Returns how many crops one model call takes: the batch size, and with a memory budget no more
   * than fit in it at the tile size (one tile of every image in the batch runs at once).
   */
  int batchSize(Generator g, TiledRunner tiler) {
    if (memoryBudget <= 0) {
      return batchSize;
    }
    int width = g.config().map(c -> c.baseWidth()).orElse(64);
    long perImage = (long) tiler.tileSize() * tiler.tileSize()
        * TiledRunner.estimateBytesPerPixel(width);
    return (int) Math.max(1, Math.min(batchSize, memoryBudget / perImage));
  }

  /** Returns the tiling used for crops of the given resolution. */
  TiledRunner tiler(Generator g, int res) {
    int m = DeltaRunner.sizeMultiple(g);
    int tile;
    if (tileSize > 0) {
      tile = roundUp(tileSize, m);
    } else if (memoryBudget > 0) {
      int width = g.config().map(c -> c.baseWidth()).orElse(64);
      tile = TiledRunner.tileSizeForBudget(memoryBudget, TiledRunner.estimateBytesPerPixel(width), m);
    } else {
      tile = res;
    }
    tile = Math.min(tile, res);
    int overlap = tileOverlap >= 0 ? Math.min(tileOverlap, tile / 2) : tile / 8;
    return new TiledRunner(tile, overlap);
  }

  private float[] maskWeights(int res) {
    float[] w = new float[res * res];
    for (int i = 0; i < res; i++) {
      for (int j = 0; j < res; j++) {
        w[i * res + j] = (float) mask.weight((j + 0.5) / res, (i + 0.5) / res);
      }
    }
    return w;
  }

  private static int roundUp(int v, int m) {
    return (v + m - 1) / m * m;
  }

  @Override
  public String toString() {
    return "FacePipeline{detector=" + detector + ", cropResolution=" + cropResolution
        + ", minFaceSize=" + minFaceSize + ", noFace=" + noFacePolicy + ", " + mask + "}";
  }

  /** An age map rendered over the frame once, sampled at crop pixels. */
  private static final class AgeFrame {
    private final double constant;
    private final float[] ages;
    private final int w;
    private final int h;

    AgeFrame(AgeMap map, int w, int h) {
      this.w = w;
      this.h = h;
      this.constant = map.constantAge().orElse(Double.NaN);
      this.ages = map.constantAge().isPresent() ? null : map.render(w, h);
    }

    float[] sample(FaceCrop crop) {
      int res = crop.size();
      float[] out = new float[res * res];
      if (ages == null) {
        Arrays.fill(out, (float) constant);
        return out;
      }
      SimilarityTransform t = crop.cropToFrame();
      for (int i = 0; i < res; i++) {
        for (int j = 0; j < res; j++) {
          double fx = Math.max(0, Math.min(w - 1, t.applyX(j + 0.5, i + 0.5) - 0.5));
          double fy = Math.max(0, Math.min(h - 1, t.applyY(j + 0.5, i + 0.5) - 0.5));
          int x0 = (int) fx;
          int y0 = (int) fy;
          int x1 = Math.min(x0 + 1, w - 1);
          int y1 = Math.min(y0 + 1, h - 1);
          double ax = fx - x0;
          double ay = fy - y0;
          double top = ages[y0 * w + x0] * (1 - ax) + ages[y0 * w + x1] * ax;
          double bot = ages[y1 * w + x0] * (1 - ax) + ages[y1 * w + x1] * ax;
          out[i * res + j] = (float) (top + (bot - top) * ay);
        }
      }
      return out;
    }
  }

  /** Builds a {@link FacePipeline}; not thread-safe. */
  public static final class Builder {
    private FaceDetector detector = FullImageDetector.INSTANCE;
    private FaceAligner aligner = FaceAligner.defaults();
    private double feather = 0.1;
    private int cropResolution;
    private int minFaceSize = 16;
    private int maxFaces = Integer.MAX_VALUE;
    private NoFacePolicy noFacePolicy = NoFacePolicy.RETURN_UNCHANGED;
    private int tileSize;
    private long memoryBudget;
    private int tileOverlap = -1;
    private long maxPixels = DeltaRunner.DEFAULT_MAX_PIXELS;
    private int batchSize = DeltaRunner.DEFAULT_BATCH_SIZE;

    private Builder() {}

    /**
     * Sets the face detector (default {@link FullImageDetector}: the whole image is the face).
     *
     * @param v the detector
     * @return this builder
     */
    public Builder optFaceDetector(FaceDetector v) {
      detector = checkNotNull(v, "detector");
      return this;
    }

    /**
     * Uses a fixed face box instead of a detector.
     *
     * @param x left edge
     * @param y top edge
     * @param width width
     * @param height height
     * @return this builder
     */
    public Builder optFaceBox(int x, int y, int width, int height) {
      detector = new FixedBoxDetector(x, y, width, height);
      return this;
    }

    /**
     * Sets the aligner (default: no margin, box scale 1).
     *
     * @param v the aligner
     * @return this builder
     */
    public Builder optAligner(FaceAligner v) {
      aligner = checkNotNull(v, "aligner");
      return this;
    }

    /**
     * Sets the fall-off of the paste-back mask as a fraction of the crop side (default 0.1).
     *
     * @param v in (0, 0.5]
     * @return this builder
     */
    public Builder optMaskFeather(double v) {
      checkArgument(v > 0 && v <= 0.5, "mask feather must be in (0, 0.5], got %s", v);
      feather = v;
      return this;
    }

    /**
     * Sets the resolution faces are re-aged at (default 0: the generator's
     * {@link Generator#resolution()}); rounded up to the model's size multiple
     * ({@link DeltaRunner#sizeMultiple(Generator)}).
     *
     * @param v 0 or a positive side in pixels
     * @return this builder
     */
    public Builder optCropResolution(int v) {
      checkArgument(v >= 0 && v <= 16384, "crop resolution must be in [0, 16384], got %s", v);
      cropResolution = v;
      return this;
    }

    /**
     * Sets the smallest face (longer box side, pixels) that is re-aged (default 16).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMinFaceSize(int v) {
      checkArgument(v >= 1, "minimum face size must be >= 1 pixel, got %s", v);
      minFaceSize = v;
      return this;
    }

    /**
     * Sets the most faces re-aged per image, most confident first (default: all).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optMaxFaces(int v) {
      checkArgument(v >= 1, "max faces must be >= 1, got %s", v);
      maxFaces = v;
      return this;
    }

    /**
     * Sets what happens when no face is found (default {@link NoFacePolicy#RETURN_UNCHANGED}).
     *
     * @param v the policy
     * @return this builder
     */
    public Builder optNoFacePolicy(NoFacePolicy v) {
      noFacePolicy = checkNotNull(v, "noFacePolicy");
      return this;
    }

    /**
     * Sets the tile side for crops larger than it (default: no tiling unless a memory budget is
     * set); rounded up to the model's size multiple ({@link DeltaRunner#sizeMultiple(Generator)}).
     *
     * @param v a positive side in pixels
     * @return this builder
     */
    public Builder optTileSize(int v) {
      checkArgument(v > 0, "tile size must be > 0, got %s", v);
      tileSize = v;
      return this;
    }

    /**
     * Sets a memory budget per model call; the tile side is derived from it with
     * {@link TiledRunner#estimateBytesPerPixel} (ignored when a tile size is set).
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder optMemoryBudget(long bytes) {
      checkArgument(bytes > 0, "memory budget must be > 0 bytes, got %s", bytes);
      memoryBudget = bytes;
      return this;
    }

    /**
     * Sets the overlap between tiles (default: an eighth of the tile side).
     *
     * @param v 0 or more pixels (capped at half the tile)
     * @return this builder
     */
    public Builder optTileOverlap(int v) {
      checkArgument(v >= 0, "tile overlap must be >= 0, got %s", v);
      tileOverlap = v;
      return this;
    }

    /**
     * Sets the largest image accepted, in pixels (default {@link DeltaRunner#DEFAULT_MAX_PIXELS}).
     *
     * @param v a positive pixel count
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      checkArgument(v > 0, "pixel limit must be > 0, got %s", v);
      maxPixels = v;
      return this;
    }

    /**
     * Sets how many target ages of a sweep run per model call (default 4).
     *
     * @param v at least 1
     * @return this builder
     */
    public Builder optBatchSize(int v) {
      checkArgument(v >= 1, "batch size must be >= 1, got %s", v);
      batchSize = v;
      return this;
    }

    /** {@return the pipeline} */
    public FacePipeline build() {
      return new FacePipeline(this);
    }
  }
}
