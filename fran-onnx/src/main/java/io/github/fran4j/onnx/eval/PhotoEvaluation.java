package io.github.fran4j.onnx.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.onnx.face.FaceEstimator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Re-ages real photos to several target ages and measures the outputs with pluggable estimators:
 * the estimated age of each output (an {@link FaceEstimator} age model), the identity kept (cosine
 * similarity of a face-embedding model's vectors for input and output) and the change outside the
 * face mask, which must be zero: the pipeline pastes changes only inside each face's crop.
 *
 * <p>The estimators see the face the re-ager's pipeline detects on the input (its most confident
 * face), the same box on the input and the outputs; without a pipeline the whole image is the
 * face and the mask covers the whole image. Not thread-safe (run one at a time).
 */
public final class PhotoEvaluation {
  private final ReAger reager;
  private final List<LabelledPhoto> photos;
  private final double[] targets;
  private final FaceEstimator ageModel;
  private final FaceEstimator identityModel;
  private final long maxPixels;

  private PhotoEvaluation(Builder b) {
    this.reager = b.reager;
    this.photos = b.photos;
    this.targets = b.targets;
    this.ageModel = b.ageModel;
    this.identityModel = b.identityModel;
    this.maxPixels = b.maxPixels;
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One photo re-aged to one target age.
   *
   * @param photo the photo's file name
   * @param inputAge the labelled age of the photo
   * @param targetAge the target age
   * @param inputEstimate the age model's estimate for the input (NaN without an age model)
   * @param outputEstimate the age model's estimate for the output (NaN without an age model)
   * @param identity cosine similarity of input and output embeddings (NaN without a model)
   * @param outsideMaxChange the largest change of an 8-bit channel outside the face mask
   * @param outsideChangedPixels pixels outside the mask that changed at all
   * @param outsidePixels pixels outside the mask
   * @param output the re-aged image
   */
  public record Sample(String photo, double inputAge, double targetAge, double inputEstimate,
      double outputEstimate, double identity, int outsideMaxChange, long outsideChangedPixels,
      long outsidePixels, BufferedImage output) {}

  /**
   * The samples of one target age, summarised.
   *
   * @param targetAge the target age
   * @param count the photos
   * @param meanEstimate mean estimated age of the outputs (NaN without an age model)
   * @param meanError mean of estimate minus target (NaN without an age model)
   * @param meanAbsError mean absolute error of the estimates (NaN without an age model)
   * @param meanIdentity mean identity cosine similarity (NaN without an identity model)
   * @param minIdentity lowest identity cosine similarity (NaN without an identity model)
   * @param outsideMaxChange the largest channel change outside the mask over the photos
   */
  public record Summary(double targetAge, int count, double meanEstimate, double meanError,
      double meanAbsError, double meanIdentity, double minIdentity, int outsideMaxChange) {}

  /**
   * The evaluation's figures.
   *
   * @param samples one per photo and target age, photo-major
   * @param summaries one per target age, in the order given
   * @param inputMeanAbsError the age model's mean absolute error on the inputs against their
   *     labels (its own accuracy on these photos; NaN without an age model)
   */
  public record Result(List<Sample> samples, List<Summary> summaries, double inputMeanAbsError) {
    /**
     * Creates a result.
     *
     * @param samples the samples
     * @param summaries the summaries
     * @param inputMeanAbsError the age model's error on the inputs
     */
    public Result {
      samples = ImmutableList.copyOf(samples);
      summaries = ImmutableList.copyOf(summaries);
    }
  }

  /**
   * Runs the evaluation.
   *
   * @return the figures and the output images
   * @throws IOException if a photo cannot be read
   * @throws NoFaceException if the pipeline finds no face in a photo (naming it)
   */
  public Result run() throws IOException {
    List<Sample> samples = new ArrayList<>();
    for (LabelledPhoto p : photos) {
      BufferedImage in = Photos.read(p.file(), maxPixels);
      Face face = face(in, p.file());
      boolean[] mask = mask(in, face);
      double inEstimate = ageModel == null ? Double.NaN : ageModel.age(in, face);
      float[] inEmbedding = identityModel == null ? null : identityModel.embed(in, face);
      List<BufferedImage> outs = reager.sweep(in, p.age(), targets);
      for (int t = 0; t < targets.length; t++) {
        BufferedImage out = outs.get(t);
        double outEstimate = ageModel == null ? Double.NaN : ageModel.age(out, face);
        double identity = identityModel == null ? Double.NaN
            : FaceEstimator.cosine(inEmbedding, identityModel.embed(out, face));
        long[] outside = outsideChange(in, out, mask);
        samples.add(new Sample(p.file().getFileName().toString(), p.age(), targets[t], inEstimate,
            outEstimate, identity, (int) outside[0], outside[1], outside[2], out));
      }
    }
    List<Summary> summaries = new ArrayList<>();
    for (double t : targets) {
      List<Sample> s = samples.stream().filter(x -> x.targetAge() == t).toList();
      double[] est = s.stream().mapToDouble(Sample::outputEstimate).toArray();
      double[] id = s.stream().mapToDouble(Sample::identity).toArray();
      summaries.add(new Summary(t, s.size(), mean(est),
          mean(Arrays.stream(est).map(e -> e - t).toArray()),
          mean(Arrays.stream(est).map(e -> Math.abs(e - t)).toArray()), mean(id),
          Arrays.stream(id).min().orElse(Double.NaN),
          s.stream().mapToInt(Sample::outsideMaxChange).max().orElse(0)));
    }
    double inputMae = ageModel == null ? Double.NaN : mean(samples.stream()
        .filter(x -> x.targetAge() == targets[0])
        .mapToDouble(x -> Math.abs(x.inputEstimate() - x.inputAge())).toArray());
    return new Result(samples, summaries, inputMae);
  }

  /** The face the estimators see: the pipeline's most confident face, else the whole image. */
  private Face face(BufferedImage img, Path file) {
    FacePipeline pipeline = reager.pipeline().orElse(null);
    if (pipeline == null) {
      return Face.of(0, 0, img.getWidth(), img.getHeight(), 1);
    }
    List<Face> faces = pipeline.detect(img);
    if (faces.isEmpty()) {
      throw new NoFaceException(file + ": no face found by " + pipeline.detector()
          + "; the evaluation needs one face per photo");
    }
    return faces.get(0);
  }

  /**
   * The face mask: where the pipeline may paste a change, the union of every detected face's crop
   * box (all faces are re-aged, not only the one measured); the whole image without a pipeline.
   */
  private boolean[] mask(BufferedImage img, Face measured) {
    int w = img.getWidth();
    int h = img.getHeight();
    boolean[] m = new boolean[w * h];
    FacePipeline pipeline = reager.pipeline().orElse(null);
    if (pipeline == null) {
      Arrays.fill(m, true);
      return m;
    }
    for (Face f : pipeline.detect(img)) {
      int[] b = pipeline.aligner().align(f, reager.generator().resolution()).frameBounds(w, h);
      for (int y = b[1]; y < b[3]; y++) {
        Arrays.fill(m, y * w + b[0], y * w + b[2], true);
      }
    }
    return m;
  }

  /**
   * Returns {largest 8-bit channel change, changed pixels, pixels} outside the mask.
   *
   * @param in the input
   * @param out the output
   * @param mask the face mask, row-major
   */
  static long[] outsideChange(BufferedImage in, BufferedImage out, boolean[] mask) {
    int w = in.getWidth();
    int h = in.getHeight();
    checkArgument(out.getWidth() == w && out.getHeight() == h, "output size differs from input");
    long max = 0;
    long changed = 0;
    long pixels = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (mask[y * w + x]) {
          continue;
        }
        pixels++;
        int a = in.getRGB(x, y);
        int b = out.getRGB(x, y);
        int d = 0;
        for (int s = 0; s <= 16; s += 8) {
          d = Math.max(d, Math.abs(((a >> s) & 0xff) - ((b >> s) & 0xff)));
        }
        if (d > 0) {
          changed++;
          max = Math.max(max, d);
        }
      }
    }
    return new long[] {max, changed, pixels};
  }

  private static double mean(double[] v) {
    return v.length == 0 ? Double.NaN : Arrays.stream(v).average().orElse(Double.NaN);
  }

  /** Builds a {@link PhotoEvaluation}; not thread-safe. */
  public static final class Builder {
    private ReAger reager;
    private List<LabelledPhoto> photos;
    private double[] targets;
    private FaceEstimator ageModel;
    private FaceEstimator identityModel;
    private long maxPixels = Photos.DEFAULT_MAX_PIXELS;

    private Builder() {}

    /**
     * Sets the re-ager to evaluate (with its face pipeline, if any).
     *
     * @param v the re-ager; not closed by the evaluation
     * @return this builder
     */
    public Builder setReAger(ReAger v) {
      this.reager = checkNotNull(v, "reager");
      return this;
    }

    /**
     * Sets the photos.
     *
     * @param v the photos with their ages (see {@link LabelledPhoto#scan})
     * @return this builder
     */
    public Builder setPhotos(List<LabelledPhoto> v) {
      checkArgument(v != null && !v.isEmpty(), "no photos given");
      this.photos = ImmutableList.copyOf(v);
      return this;
    }

    /**
     * Sets the target ages.
     *
     * @param v the ages, at least one
     * @return this builder
     */
    public Builder setTargetAges(double... v) {
      checkArgument(v != null && v.length > 0, "no target ages given");
      for (double a : v) {
        AgeMap.checkAge(a, "target age");
      }
      this.targets = v.clone();
      return this;
    }

    /**
     * Sets the age estimator.
     *
     * @param v a model with an age decoding; not closed by the evaluation
     * @return this builder
     */
    public Builder optAgeModel(FaceEstimator v) {
      checkArgument(v == null || v.spec().decoding().isAge(),
          "%s is not an age estimator (its sidecar's decoding is %s)", v, v == null ? null
              : v.spec().decoding());
      this.ageModel = v;
      return this;
    }

    /**
     * Sets the face-embedding model.
     *
     * @param v a model with the embedding decoding; not closed by the evaluation
     * @return this builder
     */
    public Builder optIdentityModel(FaceEstimator v) {
      checkArgument(v == null || !v.spec().decoding().isAge(),
          "%s is not a face-embedding model (its sidecar's decoding is %s)", v, v == null ? null
              : v.spec().decoding());
      this.identityModel = v;
      return this;
    }

    /**
     * Sets the largest photo accepted, in pixels (default {@link Photos#DEFAULT_MAX_PIXELS}).
     *
     * @param v the limit
     * @return this builder
     */
    public Builder optMaxPixels(long v) {
      checkArgument(v > 0, "maxPixels must be > 0, got %s", v);
      this.maxPixels = v;
      return this;
    }

    /** {@return the evaluation} */
    public PhotoEvaluation build() {
      checkNotNull(reager, "setReAger is required");
      checkNotNull(photos, "setPhotos is required");
      checkNotNull(targets, "setTargetAges is required");
      return new PhotoEvaluation(this);
    }
  }
}
