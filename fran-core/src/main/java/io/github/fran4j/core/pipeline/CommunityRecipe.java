package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.util.Arrays;

/**
 * The community model's inference recipe (face_reaging), as an alternative to the SDK's aligned
 * pipeline: a square crop around the detected face box, resized to {@value #WORK_SIZE}, run in
 * {@value #WINDOW} windows every {@value #STRIDE} pixels blended with a smooth window mask, and
 * only the delta, resized back, added to the frame.
 *
 * <p>The crop: above the box {@value #TOP} of its height, below it {@value #BOTTOM}, on each side
 * the box width / (2 / 0.85); the shorter side is then widened (around its centre) to a square.
 * Positions outside the frame repeat the nearest edge pixel when sampled and are not written back.
 * The windows are {@link TiledRunner}'s, with a raised-cosine mask over the {@value #STRIDE}-pixel
 * overlaps. Immutable and thread-safe (as thread-safe as the generator).
 */
public final class CommunityRecipe {
  /** The margin above the face box, as a fraction of its height (0.63 x 0.85). */
  public static final double TOP = 0.63 * 0.85;
  /** The margin below the face box, as a fraction of its height (0.37 x 0.85). */
  public static final double BOTTOM = 0.37 * 0.85;
  /** The margin on each side of the face box, as a fraction of its width (1 / (2 / 0.85)). */
  public static final double SIDE = 0.85 / 2;
  /** The side the square crop is resized to. */
  public static final int WORK_SIZE = 1024;
  /** The window the generator runs on. */
  public static final int WINDOW = 512;
  /** The distance between windows. */
  public static final int STRIDE = 256;

  private final int workSize;
  private final TiledRunner windows;

  private CommunityRecipe(int workSize, int window, int stride) {
    checkArgument(window > 0 && stride > 0 && stride <= window && workSize >= window,
        "need 0 < stride <= window <= work size, got %s, %s, %s", stride, window, workSize);
    this.workSize = workSize;
    this.windows = new TiledRunner(window, window - stride);
  }

  /** {@return the recipe as the community runs it: 1024, windows of 512 every 256} */
  public static CommunityRecipe create() {
    return new CommunityRecipe(WORK_SIZE, WINDOW, STRIDE);
  }

  /**
   * Returns the recipe at other sizes, e.g. smaller ones for tests or small models.
   *
   * @param workSize the side the crop is resized to
   * @param window the window side (a multiple of the generator's size multiple)
   * @param stride the distance between windows, at least {@code window / 2}
   * @return the recipe
   */
  public static CommunityRecipe create(int workSize, int window, int stride) {
    checkArgument(2 * stride >= window, "stride %s must be at least half the window %s", stride,
        window);
    return new CommunityRecipe(workSize, window, stride);
  }

  /**
   * Returns the square crop this recipe takes around a face box.
   *
   * @param face the detected face
   * @return the crop, {@code workSize} pixels square
   */
  public FaceCrop crop(Face face) {
    checkNotNull(face, "face");
    double left = face.x() - SIDE * face.width();
    double right = face.x() + face.width() + SIDE * face.width();
    double top = face.y() - TOP * face.height();
    double bottom = face.y() + face.height() + BOTTOM * face.height();
    double side = Math.max(right - left, bottom - top);
    double x0 = (left + right) / 2 - side / 2;
    double y0 = (top + bottom) / 2 - side / 2;
    return new FaceCrop(face, SimilarityTransform.scaleTranslate(side / workSize, x0, y0),
        workSize);
  }

  /**
   * Re-ages one face of a frame in place: only the crop's pixels change.
   *
   * @param generator the model (community family, or any generator)
   * @param frame the frame in the working layout ({@link WorkingImages#toWorking}), modified
   * @param face the face box
   * @param inputAge the apparent age, years
   * @param targetAge the target age, years
   * @return the number of frame pixels that received the delta
   */
  public long apply(Generator generator, BufferedImage frame, Face face, double inputAge,
      double targetAge) {
    checkNotNull(generator, "generator");
    AgeMap.checkAge(inputAge, "input age");
    AgeMap.checkAge(targetAge, "target age");
    FaceCrop crop = crop(face);
    float[] rgb = CropWarper.sampleRgb(frame, crop);
    int plane = workSize * workSize;
    float[] in = new float[plane];
    float[] out = new float[plane];
    Arrays.fill(in, (float) inputAge);
    Arrays.fill(out, (float) targetAge);
    float[] x = new float[GeneratorInput.CHANNELS * plane];
    GeneratorInput.write(rgb, in, out, x, 0);
    Tensor delta = windows.run(generator,
        Tensor.wrap(x, 1, GeneratorInput.CHANNELS, workSize, workSize));
    return CropWarper.pasteDelta(frame, crop, delta.toFloatArray(), new FeatherMask(0));
  }

  @Override
  public String toString() {
    return "CommunityRecipe{" + workSize + ", " + windows + "}";
  }
}
