package io.github.fran4j.onnx.face;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.Point;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A 68-point face landmark model in ONNX (e.g. {@code fr_landmark.onnx} of the npm package
 * {@code faceplugin-face-recognition-js@0.0.1}): input {@code [1, 1, 64, 64]} grey levels / 256 of
 * the face box, output 136 values, (x, y) pairs relative to the box.
 *
 * <p>Pre-processing follows the package's {@code lib/fr_landmark.js}: the box (integer corners) is
 * shifted to lie inside the image, resized to the model's input and converted to grey. Grey is
 * the standard luma 0.299 R + 0.587 G + 0.114 B (the JS applies OpenCV's BGR formula to RGBA
 * canvas data, which swaps the red and blue weights; the model is assumed to have been trained on
 * correct luma); the resize is an area average. Thread-safe; {@link #close()} is idempotent.
 */
public final class Landmark68Model implements AutoCloseable {
  private final OrtModel model;
  private final int size;

  private Landmark68Model(OrtModel model, int size) {
    this.model = model;
    this.size = size;
  }

  /**
   * Opens a landmark model.
   *
   * @param file the ONNX file
   * @param threads intra-op threads, 0 for ONNX Runtime's choice
   * @return the model; the caller closes it
   * @throws IOException if the file is missing or not a {@code [1, 1, S, S]}-input model
   */
  public static Landmark68Model open(Path file, int threads) throws IOException {
    checkArgument(threads >= 0, "threads must be >= 0, got %s", threads);
    OrtModel m = OrtModel.open(checkNotNull(file, "file"), threads);
    long[] s = m.inputShape();
    if (s.length != 4 || s[1] != 1 || s[2] <= 0 || s[2] != s[3]) {
      m.close();
      throw new ModelFormatException(file + ": expected a landmark model with input [1, 1, S, S], got "
          + java.util.Arrays.toString(s));
    }
    return new Landmark68Model(m, (int) s[2]);
  }

  /**
   * Predicts 68 landmarks inside a face box.
   *
   * @param image the image
   * @param face the face (its box is used)
   * @return the face with 68 landmarks in image pixels
   */
  public Face landmarks(BufferedImage image, Face face) {
    int iw = image.getWidth();
    int ih = image.getHeight();
    // Integer box as in the JS (parseInt of the corners), kept inside the image.
    int x1 = (int) face.x();
    int y1 = (int) face.y();
    int w = Math.max(1, Math.min(iw, (int) (face.x() + face.width()) - x1));
    int h = Math.max(1, Math.min(ih, (int) (face.y() + face.height()) - y1));
    x1 = Math.max(0, Math.min(iw - w, x1));
    y1 = Math.max(0, Math.min(ih - h, y1));
    float[] rgb = ImageSampling.resizeRgb(image, x1, y1, w, h, size, size);
    float[] grey = new float[size * size];
    for (int i = 0; i < grey.length; i++) {
      double luma = 0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2];
      grey[i] = (float) (Math.round(luma) / 256.0);
    }
    Map<String, float[]> out = model.run(grey, 1, 1, size, size);
    float[] v = out.values().iterator().next();
    if (v.length != 136) {
      throw new IllegalStateException("landmark model returned " + v.length + " values, expected 136");
    }
    List<Point> pts = new ArrayList<>(68);
    for (int i = 0; i < 68; i++) {
      pts.add(new Point(v[2 * i] * w + x1, v[2 * i + 1] * h + y1));
    }
    return face.withLandmarks(pts);
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "Landmark68Model{" + size + "x" + size + "}";
  }
}
