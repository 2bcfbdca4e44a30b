package io.github.fran4j.core.image;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.fran4j.core.tensor.Tensor;

/**
 * Builds the generator's input the reference's way: 5 planes per image, RGB in [0, 1], then the
 * input age and the target age, each divided by {@link #AGE_SCALE}. The one place that knows the
 * channel order and the age scale.
 */
public final class GeneratorInput {
  /** Ages are fed to the network as {@code age / AGE_SCALE}. */
  public static final float AGE_SCALE = 100f;
  /** Channels of the generator input. */
  public static final int CHANNELS = 5;

  private GeneratorInput() {}

  /**
   * Writes one image's 5 planes into {@code dst} at {@code offset}.
   *
   * @param rgb {@code 3 * h * w} RGB values, channel-major
   * @param inputAges {@code h * w} input ages in years
   * @param targetAges {@code h * w} target ages in years
   * @param dst the destination, at least {@code offset + 5 * h * w} long
   * @param offset where the image's first plane starts
   */
  public static void write(float[] rgb, float[] inputAges, float[] targetAges, float[] dst,
      int offset) {
    int plane = inputAges.length;
    checkArgument(rgb.length == 3 * plane && targetAges.length == plane,
        "expected 3 RGB planes and 2 age planes of %s values, got %s RGB values and %s target ages",
        plane, rgb.length, targetAges.length);
    System.arraycopy(rgb, 0, dst, offset, 3 * plane);
    for (int i = 0; i < plane; i++) {
      dst[offset + 3 * plane + i] = inputAges[i] / AGE_SCALE;
      dst[offset + 4 * plane + i] = targetAges[i] / AGE_SCALE;
    }
  }

  /**
   * Returns a {@code [1, 5, H, W]} input for one image and two age maps.
   *
   * @param image the image
   * @param inputAge the apparent age of the person, per pixel
   * @param targetAge the desired age, per pixel
   * @return the input tensor
   */
  public static Tensor of(PlanarImage image, AgeMap inputAge, AgeMap targetAge) {
    int w = image.width();
    int h = image.height();
    float[] data = new float[CHANNELS * w * h];
    write(image.rgb(), inputAge.render(w, h), targetAge.render(w, h), data, 0);
    return Tensor.wrap(data, 1, CHANNELS, h, w);
  }
}
