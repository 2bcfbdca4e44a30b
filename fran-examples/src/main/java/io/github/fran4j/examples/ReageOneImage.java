package io.github.fran4j.examples;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

/**
 * Re-ages one image: loads a model, re-ages a photo from one age to another and writes a PNG.
 * Without a face detector the whole image is the face, as for pre-aligned crops; see
 * {@link CustomFaceDetector} for full photos.
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.ReageOneImage
 * MODEL INPUT OUTPUT.png INPUT_AGE TARGET_AGE}, e.g. {@code fran.onnx face.jpg older.png 30 70}.
 * The model may be {@code .onnx} (fran-onnx), {@code .safetensors} or {@code .pth} (pure Java).
 */
public final class ReageOneImage {
  private ReageOneImage() {}

  /**
   * Runs the example.
   *
   * @param args model file, input image, output PNG, input age, target age
   * @throws Exception if a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      throw new IllegalArgumentException(
          "usage: ReageOneImage MODEL INPUT OUTPUT.png INPUT_AGE TARGET_AGE");
    }
    Path model = Path.of(args[0]);
    BufferedImage face = Photos.read(Path.of(args[1]), Photos.DEFAULT_MAX_PIXELS);
    double inputAge = Double.parseDouble(args[3]);
    double targetAge = Double.parseDouble(args[4]);
    // The re-ager holds the backend's native resources: close it when done.
    try (ReAger reager = ReAger.load(model)) {
      BufferedImage older = reager.reage(face, inputAge, targetAge);
      Photos.write(older, Path.of(args[2]));
      System.out.printf("re-aged %s from %s to %s on %s -> %s%n", args[1], args[3], args[4],
          reager.describe(), args[2]);
    }
  }
}
