package io.github.fran4j.examples;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;

/**
 * Plugs your own {@link FaceDetector} into the production pipeline. {@link SkinColourDetector}
 * is a deliberately simple detector: the bounding box of skin-coloured pixels (a classic RGB
 * rule), with no landmarks. {@code ReAger.builder().optFaceDetector(...)} then crops that box,
 * re-ages it at the model's resolution and pastes only the delta back through a feathered mask:
 * pixels outside the box are unchanged, and an image without skin comes back unchanged (the
 * default {@code NoFacePolicy}). A real detector (e.g. fran-onnx's {@code OnnxFaceDetector}) also
 * returns landmarks, which the pipeline uses to align the face.
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.CustomFaceDetector
 * MODEL INPUT OUTPUT.png INPUT_AGE TARGET_AGE}.
 */
public final class CustomFaceDetector {
  private CustomFaceDetector() {}

  /**
   * Finds the bounding box of skin-coloured pixels: R &gt; 95, G &gt; 40, B &gt; 20, R &gt; G,
   * R &gt; B and R - min(G, B) &gt; 15. Returns no face when fewer than {@code minPixels} pixels
   * match. Immutable and thread-safe, as {@link ReAger} needs when several threads share it.
   */
  public static final class SkinColourDetector implements FaceDetector {
    private final int minPixels;

    /**
     * Creates the detector.
     *
     * @param minPixels the fewest skin pixels that count as a face, at least 1
     */
    public SkinColourDetector(int minPixels) {
      if (minPixels < 1) {
        throw new IllegalArgumentException("minPixels must be >= 1, got " + minPixels);
      }
      this.minPixels = minPixels;
    }

    /**
     * Tests one pixel.
     *
     * @param rgb a packed {@code 0xRRGGBB} colour (higher bits ignored)
     * @return whether the colour counts as skin
     */
    public static boolean isSkin(int rgb) {
      int r = (rgb >> 16) & 0xff;
      int g = (rgb >> 8) & 0xff;
      int b = rgb & 0xff;
      return r > 95 && g > 40 && b > 20 && r > g && r > b && r - Math.min(g, b) > 15;
    }

    @Override
    public List<Face> detect(BufferedImage image) {
      int x0 = Integer.MAX_VALUE;
      int y0 = Integer.MAX_VALUE;
      int x1 = -1;
      int y1 = -1;
      int count = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          if (isSkin(image.getRGB(x, y))) {
            count++;
            x0 = Math.min(x0, x);
            y0 = Math.min(y0, y);
            x1 = Math.max(x1, x);
            y1 = Math.max(y1, y);
          }
        }
      }
      if (count < minPixels) {
        return List.of();
      }
      // Score: the fraction of the box that is skin, so a compact blob scores higher.
      double area = (double) (x1 - x0 + 1) * (y1 - y0 + 1);
      return List.of(Face.of(x0, y0, x1 - x0 + 1, y1 - y0 + 1, count / area));
    }
  }

  /**
   * Runs the example.
   *
   * @param args model file, input image, output PNG, input age, target age
   * @throws Exception if a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: CustomFaceDetector MODEL INPUT OUTPUT.png INPUT_AGE TARGET_AGE");
    }
    BufferedImage photo = Photos.read(Path.of(args[1]), Photos.DEFAULT_MAX_PIXELS);
    // The re-ager does not close the detector: both are closed here, in reverse order.
    try (FaceDetector skin = new SkinColourDetector(64);
        ReAger reager = ReAger.builder()
            .setModel(Path.of(args[0]))
            .optFaceDetector(skin)
            .build()) {
      // Only for the printout: reage runs the detector itself.
      List<Face> faces = skin.detect(photo);
      System.out.println("faces: " + faces);
      Photos.write(reager.reage(photo, Double.parseDouble(args[3]), Double.parseDouble(args[4])),
          Path.of(args[2]));
    }
  }
}
