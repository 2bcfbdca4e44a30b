package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The one path from an image and age planes to the generator's RGB deltas, used by
 * {@code ReAger}'s whole-image path, the {@link FacePipeline} and tiling: pad to the model's size
 * multiple by edge replication, encode ({@link GeneratorInput}), batch the target ages, predict
 * (as feathered tiles through a {@link TiledRunner} when one is set), check the delta's shape and
 * crop it back.
 *
 * <p>The padding is the model's, never the backend's: {@link #sizeMultiple(Generator)} and
 * {@link #minimumSize(Generator)} come from the generator's {@link UNetConfig} whenever it states
 * one ({@link UNetConfig#sizeMultiple()}, which a U-Net family defines for itself), so the same
 * model gives the same pixels on every backend, whatever sizes a backend could take unpadded. Only
 * a foreign model that states no configuration falls back to the backend's
 * {@link Generator#sizeMultiple()}.
 *
 * <p>Immutable and thread-safe (as thread-safe as the generator, which every backend is). The
 * runner does not own the generator: closing is the caller's business.
 */
public final class DeltaRunner {
  /**
   * The default pixel limit of an input image, 100 megapixels, for the whole-image path and the
   * face pipeline alike: enough for a 12,000 x 8,000 frame, and a clear error instead of an
   * out-of-memory failure for a decompression bomb.
   */
  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  /** The default number of target ages per model call. */
  public static final int DEFAULT_BATCH_SIZE = 4;

  private final Generator generator;
  private final int batchSize;
  private final TiledRunner tiler;
  private final int multiple;
  private final int minimum;

  private DeltaRunner(Generator generator, int batchSize, TiledRunner tiler) {
    this.generator = generator;
    this.batchSize = batchSize;
    this.tiler = tiler;
    this.multiple = sizeMultiple(generator);
    this.minimum = minimumSize(generator);
  }

  /**
   * Returns a runner with the default batch size and no tiling.
   *
   * @param generator the generator (not owned)
   * @return the runner
   */
  public static DeltaRunner of(Generator generator) {
    return of(generator, DEFAULT_BATCH_SIZE, null);
  }

  /**
   * Returns a runner.
   *
   * @param generator the generator (not owned)
   * @param batchSize the most target ages per model call, at least 1
   * @param tiler the tiling for inputs larger than a tile, or null to run every input whole
   * @return the runner
   */
  public static DeltaRunner of(Generator generator, int batchSize, TiledRunner tiler) {
    checkNotNull(generator, "generator");
    checkArgument(batchSize >= 1, "batch size must be >= 1, got %s", batchSize);
    return new DeltaRunner(generator, batchSize, tiler);
  }

  /**
   * Returns the multiple that padded heights and widths are rounded up to: the model's
   * {@link UNetConfig#sizeMultiple()} when the generator states its configuration, else the
   * backend's {@link Generator#sizeMultiple()} (foreign models).
   *
   * @param g the generator
   * @return the size multiple, at least 1
   */
  public static int sizeMultiple(Generator g) {
    checkNotNull(g, "generator");
    return g.config().map(UNetConfig::sizeMultiple).orElseGet(g::sizeMultiple);
  }

  /**
   * Returns the smallest padded height and width: the model's {@link UNetConfig#minimumSize()}
   * when the generator states its configuration, else {@link Generator#minimumSize()}.
   *
   * @param g the generator
   * @return the minimum side in pixels
   */
  public static int minimumSize(Generator g) {
    checkNotNull(g, "generator");
    return g.config().map(UNetConfig::minimumSize).orElseGet(g::minimumSize);
  }

  /**
   * Checks an image's size against a pixel limit.
   *
   * @param width the width
   * @param height the height
   * @param maxPixels the limit
   * @throws IllegalArgumentException for an empty image, or one over the limit (naming its size,
   *     the limit and how to raise it)
   */
  public static void checkPixels(int width, int height, long maxPixels) {
    checkArgument(width > 0 && height > 0, "image is empty (%sx%s)", width, height);
    long px = (long) width * height;
    if (px > maxPixels) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "image of %dx%d = %,d pixels exceeds the pixel limit of %,d; downscale it or raise the "
              + "limit with optMaxPixels", width, height, px, maxPixels));
    }
  }

  /** {@return this runner's size multiple, {@link #sizeMultiple(Generator)} of its generator} */
  public int sizeMultiple() {
    return multiple;
  }

  /**
   * Returns the side an image side is padded to: at least the minimum size, rounded up to the
   * size multiple.
   *
   * @param side a side in pixels
   * @return the padded side
   */
  public int paddedSide(int side) {
    int s = Math.max(side, minimum);
    return (s + multiple - 1) / multiple * multiple;
  }

  /** {@return the generator (not owned by the runner)} */
  public Generator generator() {
    return generator;
  }

  /**
   * Runs the generator on one image for several target age maps.
   *
   * @param image the image at the size to run
   * @param inputAge the apparent age per pixel
   * @param targetAges the target age maps, at least one
   * @return one delta per target age map, {@code 3 * H * W} values each, channel-major
   */
  public List<float[]> deltas(PlanarImage image, AgeMap inputAge, List<AgeMap> targetAges) {
    checkNotNull(image, "image");
    checkNotNull(inputAge, "inputAge");
    checkNotNull(targetAges, "targetAges");
    int w = image.width();
    int h = image.height();
    List<float[]> outs = new ArrayList<>(targetAges.size());
    for (AgeMap t : targetAges) {
      outs.add(checkNotNull(t, "target age map").render(w, h));
    }
    return deltas(image.rgb(), inputAge.render(w, h), outs, w, h);
  }

  /**
   * Runs the generator on planar RGB in [0, 1] with age planes in years.
   *
   * @param rgb {@code 3 * width * height} values, channel-major
   * @param inputAges {@code width * height} ages in years
   * @param targetAges one {@code width * height} plane of ages in years per output, at least one
   * @param width the width
   * @param height the height
   * @return one delta per target plane, {@code 3 * width * height} values each, channel-major
   * @throws EngineException if the backend fails or returns a delta of the wrong shape
   */
  public List<float[]> deltas(float[] rgb, float[] inputAges, List<float[]> targetAges,
      int width, int height) {
    checkNotNull(rgb, "rgb");
    checkNotNull(inputAges, "inputAges");
    checkNotNull(targetAges, "targetAges");
    checkArgument(!targetAges.isEmpty(), "no target ages given");
    List<Job> jobs = new ArrayList<>(targetAges.size());
    for (int i = 0; i < targetAges.size(); i++) {
      jobs.add(new Job(rgb, inputAges, checkNotNull(targetAges.get(i), "target age plane %s", i)));
    }
    return deltas(jobs, width, height);
  }

  /**
   * Runs the generator on several images of one size, each with its own input and target ages,
   * in batches of up to the batch size: the face pipeline sends every (face, target age) pair of
   * a photo this way, so several faces and a sweep share model calls.
   *
   * @param jobs the images to run, at least one; jobs may share arrays (a sweep shares its RGB)
   * @param width the width of every job
   * @param height the height of every job
   * @return one delta per job, in order, {@code 3 * width * height} values each, channel-major
   * @throws EngineException if the backend fails or returns a delta of the wrong shape
   */
  public List<float[]> deltas(List<Job> jobs, int width, int height) {
    checkNotNull(jobs, "jobs");
    checkArgument(!jobs.isEmpty(), "no jobs given");
    checkArgument(width > 0 && height > 0, "image is empty (%sx%s)", width, height);
    int plane = width * height;
    int pw = paddedSide(width);
    int ph = paddedSide(height);
    // Pad each distinct array once: a sweep's jobs share the same RGB and input-age planes.
    Map<float[], float[]> padded = new IdentityHashMap<>();
    int perImage = GeneratorInput.CHANNELS * pw * ph;
    List<float[]> deltas = new ArrayList<>(jobs.size());
    for (int start = 0; start < jobs.size(); start += batchSize) {
      int n = Math.min(batchSize, jobs.size() - start);
      float[] batch = new float[n * perImage];
      for (int i = 0; i < n; i++) {
        Job job = checkNotNull(jobs.get(start + i), "job %s", start + i);
        checkArgument(job.rgb().length == 3 * plane && job.inputAges().length == plane
                && job.targetAges().length == plane,
            "job %s has %s RGB values, %s input ages and %s target ages, expected %s, %s and %s "
                + "for %sx%s", start + i, job.rgb().length, job.inputAges().length,
            job.targetAges().length, 3 * plane, plane, plane, width, height);
        GeneratorInput.write(
            padded.computeIfAbsent(job.rgb(), a -> PlanarImage.replicatePad(a, 3, width, height, pw, ph)),
            padded.computeIfAbsent(job.inputAges(),
                a -> PlanarImage.replicatePad(a, 1, width, height, pw, ph)),
            PlanarImage.replicatePad(job.targetAges(), 1, width, height, pw, ph), batch,
            i * perImage);
      }
      Tensor input = Tensor.wrap(batch, n, GeneratorInput.CHANNELS, ph, pw);
      Tensor delta = tiler == null ? generator.predict(input) : tiler.run(generator, input);
      if (!delta.hasShape(n, 3, ph, pw)) {
        throw new EngineException("backend " + generator.describe() + " returned a delta of shape "
            + Arrays.toString(delta.shape()) + ", expected [" + n + ", 3, " + ph + ", " + pw + "]");
      }
      requireFinite(delta);
      // Copy each image's unpadded rows straight out of the batch: one copy, no intermediates.
      FloatBuffer all = delta.floatBuffer();
      for (int i = 0; i < n; i++) {
        float[] one = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < height; y++) {
            all.get(((i * 3 + c) * ph + y) * pw, one, (c * height + y) * width, width);
          }
        }
        deltas.add(one);
      }
    }
    return deltas;
  }

  /**
   * One image for {@link #deltas(List, int, int)}: planar RGB in [0, 1] ({@code 3 * W * H} values,
   * channel-major) and input and target ages in years ({@code W * H} values each).
   *
   * @param rgb the image
   * @param inputAges the apparent age per pixel
   * @param targetAges the age to re-age to per pixel
   */
  public record Job(float[] rgb, float[] inputAges, float[] targetAges) {
    /**
     * Checks that no array is null.
     *
     * @param rgb the image
     * @param inputAges the apparent age per pixel
     * @param targetAges the age to re-age to per pixel
     */
    public Job {
      checkNotNull(rgb, "rgb");
      checkNotNull(inputAges, "inputAges");
      checkNotNull(targetAges, "targetAges");
    }
  }

  /**
   * Refuses a delta with NaN or infinite values: added to an image and clamped they would give a
   * black or saturated picture with no error at all.
   */
  private void requireFinite(Tensor delta) {
    FloatBuffer b = delta.floatBuffer();
    for (int i = 0; i < b.limit(); i++) {
      if (!Float.isFinite(b.get(i))) {
        int bad = 0;
        for (int j = i; j < b.limit(); j++) {
          bad += Float.isFinite(b.get(j)) ? 0 : 1;
        }
        throw new EngineException("model " + generator.describe() + " returned a delta with "
            + bad + " non-finite value(s) (first: " + b.get(i) + " at flat index " + i + " of "
            + Arrays.toString(delta.shape()) + "); expected finite values. Its weights are "
            + "probably broken (a diverged training run); no image was produced");
      }
    }
  }

  @Override
  public String toString() {
    return "DeltaRunner{" + generator.describe() + ", sizeMultiple=" + multiple + ", minimumSize="
        + minimum + ", batchSize=" + batchSize + (tiler == null ? "" : ", " + tiler) + "}";
  }
}
