package io.github.fran4j.onnx.face;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * An UltraFace-style face box detector in ONNX (e.g. {@code fr_detect.onnx} of the npm package
 * {@code faceplugin-face-recognition-js@0.0.1}): input {@code [1, 3, H, W]} RGB normalized as
 * {@code (v - 127) / 128} at the model's fixed size (320 x 240 there), outputs {@code scores}
 * {@code [1, N, 2]} (background, face) and {@code boxes} {@code [1, N, 4]} (corner form, relative
 * to the input size, already decoded from the anchors).
 *
 * <p>Post-processing follows the package's {@code lib/fr_detect.js}: keep scores at or above the
 * threshold (0.65), at most the 750 best, then non-maximum suppression (threshold 0.4), and make
 * each box a square whose side is the box's height, centred on the box and clipped to the image.
 * Two deliberate differences: suppression uses the standard intersection-over-union in score
 * order (the JS divides by one box's area and orders by the bottom edge), and the input is
 * resampled with an area average rather than OpenCV's bilinear resize (less aliasing on 4K
 * frames).
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class UltraFaceDetector implements FaceDetector {
  private final OrtModel model;
  private final int inputWidth;
  private final int inputHeight;
  private final float threshold;
  private final float nmsThreshold;
  private final int topK;

  private UltraFaceDetector(OrtModel model, int w, int h, Builder b) {
    this.model = model;
    this.inputWidth = w;
    this.inputHeight = h;
    this.threshold = b.threshold;
    this.nmsThreshold = b.nmsThreshold;
    this.topK = b.topK;
  }

  /**
   * Opens a detector with default settings.
   *
   * @param file the ONNX model
   * @return the detector; the caller closes it
   * @throws IOException if the file is missing or is not such a model
   */
  public static UltraFaceDetector open(Path file) throws IOException {
    return builder().build(file);
  }

  /** {@return a builder for settings} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the model's input width and height} */
  public int[] inputSize() {
    return new int[] {inputWidth, inputHeight};
  }

  @Override
  public List<Face> detect(BufferedImage image) {
    checkNotNull(image, "image");
    int iw = image.getWidth();
    int ih = image.getHeight();
    float[] rgb = ImageSampling.resizeRgb(image, 0, 0, iw, ih, inputWidth, inputHeight);
    int plane = inputWidth * inputHeight;
    float[] in = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        in[c * plane + i] = (rgb[3 * i + c] - 127f) / 128f;
      }
    }
    Map<String, float[]> out = model.run(in, 1, 3, inputHeight, inputWidth);
    float[] scores = out.get("scores");
    float[] boxes = out.get("boxes");
    if (scores == null || boxes == null || scores.length / 2 != boxes.length / 4) {
      throw new IllegalStateException("face detector outputs " + out.keySet()
          + " are not UltraFace's 'scores' [1, N, 2] and 'boxes' [1, N, 4]");
    }
    int n = scores.length / 2;
    List<float[]> cand = new ArrayList<>(); // x1, y1, x2, y2, score in image pixels
    for (int i = 0; i < n; i++) {
      float s = scores[2 * i + 1];
      if (s >= threshold) {
        cand.add(new float[] {boxes[4 * i] * iw, boxes[4 * i + 1] * ih, boxes[4 * i + 2] * iw,
            boxes[4 * i + 3] * ih, s});
      }
    }
    cand.sort(Comparator.comparingDouble((float[] c) -> -c[4]));
    if (cand.size() > topK) {
      cand = new ArrayList<>(cand.subList(0, topK));
    }
    List<float[]> kept = nms(cand, nmsThreshold);
    ImmutableList.Builder<Face> faces = ImmutableList.builder();
    for (float[] c : kept) {
      double side = c[3] - c[1];
      if (!(side > 0) || !(c[2] > c[0])) {
        continue;
      }
      double cx = (c[0] + c[2]) / 2.0;
      double cy = (c[1] + c[3]) / 2.0;
      double x1 = Math.max(0, cx - side / 2);
      double y1 = Math.max(0, cy - side / 2);
      double x2 = Math.min(iw - 1, cx + side / 2);
      double y2 = Math.min(ih - 1, cy + side / 2);
      if (x2 - x1 >= 1 && y2 - y1 >= 1) {
        faces.add(Face.of(x1, y1, x2 - x1, y2 - y1, c[4]));
      }
    }
    return faces.build();
  }

  /** Greedy non-maximum suppression by intersection over union; input sorted by score. */
  static List<float[]> nms(List<float[]> sorted, float iouThreshold) {
    List<float[]> kept = new ArrayList<>();
    for (float[] c : sorted) {
      boolean keep = true;
      for (float[] k : kept) {
        if (iou(c, k) > iouThreshold) {
          keep = false;
          break;
        }
      }
      if (keep) {
        kept.add(c);
      }
    }
    return kept;
  }

  static double iou(float[] a, float[] b) {
    double ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
    double iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
    double inter = ix * iy;
    double union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    return union <= 0 ? 0 : inter / union;
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "UltraFaceDetector{" + inputWidth + "x" + inputHeight + ", threshold=" + threshold + "}";
  }

  /** Builds an {@link UltraFaceDetector}; not thread-safe. */
  public static final class Builder {
    private float threshold = 0.65f;
    private float nmsThreshold = 0.4f;
    private int topK = 750;
    private int threads;

    private Builder() {}

    /**
     * Sets the least face score kept (default 0.65, as in the package's JS).
     *
     * @param v in (0, 1)
     * @return this builder
     */
    public Builder optThreshold(double v) {
      checkArgument(v > 0 && v < 1, "score threshold must be in (0, 1), got %s", v);
      threshold = (float) v;
      return this;
    }

    /**
     * Sets the IoU above which a less confident box is suppressed (default 0.4).
     *
     * @param v in (0, 1]
     * @return this builder
     */
    public Builder optNmsThreshold(double v) {
      checkArgument(v > 0 && v <= 1, "NMS threshold must be in (0, 1], got %s", v);
      nmsThreshold = (float) v;
      return this;
    }

    /**
     * Sets the intra-op thread count (default 0: ONNX Runtime's choice).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optThreads(int v) {
      checkArgument(v >= 0, "threads must be >= 0, got %s", v);
      threads = v;
      return this;
    }

    /**
     * Opens the model.
     *
     * @param file the ONNX file
     * @return the detector; the caller closes it
     * @throws IOException if the file is missing or not an UltraFace-style model
     */
    public UltraFaceDetector build(Path file) throws IOException {
      OrtModel m = OrtModel.open(checkNotNull(file, "file"), threads);
      long[] s = m.inputShape();
      if (s.length != 4 || s[1] != 3 || s[2] <= 0 || s[3] <= 0
          || !m.outputNames().contains("scores") || !m.outputNames().contains("boxes")) {
        String got = java.util.Arrays.toString(s) + " -> " + m.outputNames();
        m.close();
        throw new ModelFormatException(file + ": expected an UltraFace-style detector with input "
            + "[1, 3, H, W] (fixed H, W) and outputs scores and boxes, got " + got);
      }
      return new UltraFaceDetector(m, (int) s[3], (int) s[2], this);
    }
  }
}
