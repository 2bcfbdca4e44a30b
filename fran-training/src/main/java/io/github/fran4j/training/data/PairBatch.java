package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;

/**
 * One training batch as plain Java, what {@link PairLoader} produces and a trainer consumes: the
 * input images A and target images B as float32 NCHW arrays ({@code [size, 3, resolution,
 * resolution]}, RGB in [0, 1], no mean/std), and their ages in years.
 *
 * <p>The model's age planes are {@code age / 100}; building them is the trainer's job (this package
 * knows no tensor engine). Image data is exposed as read-only {@link FloatBuffer} views without
 * copying (engines such as DJL copy them into native memory), ages as fresh arrays.
 *
 * <p>Immutable (the arrays are owned by the batch and never handed out writable) and thread-safe.
 */
public final class PairBatch {
  private final long epoch;
  private final int index;
  private final int resolution;
  private final ImmutableList<PairSpec> pairs;
  private final float[] imagesA;
  private final float[] imagesB;
  private final float[] agesA;
  private final float[] agesB;

  /**
   * Creates a batch, taking ownership of the arrays (the caller must not modify them afterwards).
   *
   * @param epoch the epoch the batch belongs to
   * @param index the batch index within the epoch
   * @param resolution image side in pixels
   * @param pairs the pairs, in batch order (ages as actually loaded)
   * @param imagesA {@code pairs.size() * 3 * resolution * resolution} floats, NCHW
   * @param imagesB same shape as {@code imagesA}
   * @param agesA {@code pairs.size()} ages in years
   * @param agesB {@code pairs.size()} ages in years
   */
  public PairBatch(
      long epoch,
      int index,
      int resolution,
      ImmutableList<PairSpec> pairs,
      float[] imagesA,
      float[] imagesB,
      float[] agesA,
      float[] agesB) {
    checkNotNull(pairs, "pairs");
    checkArgument(!pairs.isEmpty(), "a batch needs at least one pair");
    checkArgument(resolution >= 1, "resolution must be >= 1, got %s", resolution);
    int n = pairs.size();
    long imageLen = (long) n * 3 * resolution * resolution;
    checkArgument(
        imagesA.length == imageLen && imagesB.length == imageLen,
        "images must hold %s x 3 x %s x %s = %s floats, got A %s and B %s",
        n,
        resolution,
        resolution,
        imageLen,
        imagesA.length,
        imagesB.length);
    checkArgument(
        agesA.length == n && agesB.length == n,
        "need %s ages per side, got A %s and B %s",
        n,
        agesA.length,
        agesB.length);
    this.epoch = epoch;
    this.index = index;
    this.resolution = resolution;
    this.pairs = pairs;
    this.imagesA = imagesA;
    this.imagesB = imagesB;
    this.agesA = agesA;
    this.agesB = agesB;
  }

  /** {@return the epoch this batch belongs to} */
  public long epoch() {
    return epoch;
  }

  /** {@return the batch index within its epoch} */
  public int index() {
    return index;
  }

  /** {@return the number of pairs N (the tensors' batch dimension)} */
  public int size() {
    return pairs.size();
  }

  /** {@return the image side in pixels (H = W)} */
  public int resolution() {
    return resolution;
  }

  /** {@return the NCHW shape of {@link #imagesA()} and {@link #imagesB()}} */
  public long[] imageShape() {
    return new long[] {pairs.size(), 3, resolution, resolution};
  }

  /**
   * {@return the pairs in batch order (identity and age indices actually loaded, which differ from
   * the sampler's only when a lenient loader replaced an unreadable image)}
   */
  public ImmutableList<PairSpec> pairs() {
    return pairs;
  }

  /** {@return the input images A, NCHW float32 in [0, 1], as a read-only view positioned at 0} */
  public FloatBuffer imagesA() {
    return FloatBuffer.wrap(imagesA).asReadOnlyBuffer();
  }

  /** {@return the target images B, NCHW float32 in [0, 1], as a read-only view positioned at 0} */
  public FloatBuffer imagesB() {
    return FloatBuffer.wrap(imagesB).asReadOnlyBuffer();
  }

  /** {@return a copy of the input ages in years, one per pair} */
  public float[] agesA() {
    return agesA.clone();
  }

  /** {@return a copy of the target ages in years, one per pair} */
  public float[] agesB() {
    return agesB.clone();
  }

  /**
   * Returns one image of the batch as an RGB image (for previews and tests).
   *
   * @param pair the pair index in [0, {@link #size()})
   * @param target false for A, true for B
   * @return a new image, values rounded to 8 bits
   */
  public BufferedImage image(int pair, boolean target) {
    checkElementIndex(pair, pairs.size(), "pair");
    int len = 3 * resolution * resolution;
    return Images.fromChw(target ? imagesB : imagesA, pair * len, resolution, resolution);
  }

  @Override
  public String toString() {
    return "PairBatch{epoch " + epoch + ", batch " + index + ", " + pairs.size() + " pairs, "
        + resolution + "px}";
  }
}
