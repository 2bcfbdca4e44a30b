package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;

import io.github.fran4j.core.image.PlanarImage;
import java.awt.image.BufferedImage;

/**
 * Builds the per-epoch sample image: one row per pair, columns input | target | prediction, from
 * NCHW float RGB (values clamped to [0, 1] for display). Thread-safe (stateless).
 */
public final class SampleGrid {
  private SampleGrid() {}

  /**
   * Composes the grid.
   *
   * @param inputs NCHW floats
   * @param targets NCHW floats, same shape
   * @param predictions NCHW floats, same shape
   * @param rows the number of pairs to show (at most N)
   * @param size the image side (H = W)
   * @return an RGB image of width 3 size and height rows size
   */
  public static BufferedImage compose(
      float[] inputs, float[] targets, float[] predictions, int rows, int size) {
    int plane = size * size;
    checkArgument(rows >= 1 && inputs.length >= rows * 3 * plane,
        "need at least %s images of %sx%s, got %s floats", rows, size, size, inputs.length);
    BufferedImage img = new BufferedImage(3 * size, rows * size, BufferedImage.TYPE_INT_RGB);
    float[][] cols = {inputs, targets, predictions};
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < 3; c++) {
        int off = r * 3 * plane;
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            int i = off + y * size + x;
            int red = to8(cols[c][i]);
            int green = to8(cols[c][i + plane]);
            int blue = to8(cols[c][i + 2 * plane]);
            img.setRGB(c * size + x, r * size + y, (red << 16) | (green << 8) | blue);
          }
        }
      }
    }
    return img;
  }

  private static int to8(float v) {
    return PlanarImage.quantize(v, 255); // the SDK's one quantizer
  }
}
