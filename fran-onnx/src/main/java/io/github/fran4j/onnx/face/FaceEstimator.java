package io.github.fran4j.onnx.face;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.image.PackedPixels;
import io.github.fran4j.core.pipeline.Face;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A pluggable ONNX face estimator, described by a {@link FaceEstimatorSpec} sidecar: an age
 * estimator ({@link #age}) or a face-embedding model ({@link #embed}). Opening checks the model's
 * declared input and outputs against the sidecar, so a mismatch fails at once, naming both files.
 * Thread-safe; {@link #close()} is idempotent.
 */
public final class FaceEstimator implements AutoCloseable {
  private static final String[] SSRNET_PROBS = {"prob_stage_1", "prob_stage_2", "prob_stage_3"};
  private static final String[] SSRNET_DELTAS =
      {"stage1_delta_k", "stage2_delta_k", "stage3_delta_k"};
  private static final String[] SSRNET_OFFSETS =
      {"index_offset_stage1", "index_offset_stage2", "index_offset_stage3"};

  private final OrtModel model;
  private final FaceEstimatorSpec spec;
  private final String output;
  private final int embeddingSize;

  private FaceEstimator(OrtModel model, FaceEstimatorSpec spec, String output, int embeddingSize) {
    this.model = model;
    this.spec = spec;
    this.output = output;
    this.embeddingSize = embeddingSize;
  }

  /**
   * Opens a model with its sidecar next to it ({@link FaceEstimatorSpec#sidecarOf}).
   *
   * @param model the ONNX file
   * @return the estimator; the caller closes it
   * @throws java.nio.file.NoSuchFileException if the model or its sidecar is missing
   * @throws ModelFormatException if the sidecar is invalid or does not match the model
   */
  public static FaceEstimator open(Path model) throws IOException {
    return open(model, FaceEstimatorSpec.sidecarOf(checkNotNull(model, "model")));
  }

  /**
   * Opens a model with a given sidecar.
   *
   * @param model the ONNX file
   * @param sidecar its JSON description
   * @return the estimator; the caller closes it
   * @throws java.nio.file.NoSuchFileException if the model or the sidecar is missing
   * @throws ModelFormatException if the sidecar is invalid or does not match the model
   */
  public static FaceEstimator open(Path model, Path sidecar) throws IOException {
    return open(model, FaceEstimatorSpec.read(checkNotNull(sidecar, "sidecar")));
  }

  /**
   * Opens a model with a spec.
   *
   * @param model the ONNX file
   * @param spec its description
   * @return the estimator; the caller closes it
   * @throws java.nio.file.NoSuchFileException if the model is missing
   * @throws ModelFormatException if the spec does not match the model
   */
  public static FaceEstimator open(Path model, FaceEstimatorSpec spec) throws IOException {
    checkNotNull(model, "model");
    checkNotNull(spec, "spec");
    OrtModel m = OrtModel.open(model, 1);
    try {
      checkInput(m, spec);
      Map<String, long[]> outs = m.outputShapes();
      String out = null;
      int size = 0;
      if (spec.decoding() == FaceEstimatorSpec.Decoding.SSRNET) {
        checkSsrnet(m, spec, outs);
      } else {
        out = pickOutput(m, spec, outs);
        long n = elements(outs.get(out));
        if (spec.decoding() == FaceEstimatorSpec.Decoding.SCALAR && n != 1 && n != -1) {
          throw mismatch(m, spec, "a scalar age output has one value, but " + out + " has shape "
              + Arrays.toString(outs.get(out)));
        }
        if (spec.decoding() == FaceEstimatorSpec.Decoding.EMBEDDING && n >= 0 && n < 2) {
          throw mismatch(m, spec, "an embedding output has at least 2 values, but " + out
              + " has shape " + Arrays.toString(outs.get(out)));
        }
        size = (int) n;
      }
      return new FaceEstimator(m, spec, out, size);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  /** {@return the model's description} */
  public FaceEstimatorSpec spec() {
    return spec;
  }

  /** {@return the model file} */
  public Path file() {
    return model.file();
  }

  /**
   * Estimates the age of a face.
   *
   * @param image the image
   * @param face the face box (scaled by the spec's box scale)
   * @return the age in years
   * @throws IllegalStateException if this model is an embedding model
   */
  public double age(BufferedImage image, Face face) {
    if (!spec.decoding().isAge()) {
      throw new IllegalStateException(model.file() + " is an embedding model, not an age estimator");
    }
    Map<String, float[]> out = run(image, face);
    if (spec.decoding() == FaceEstimatorSpec.Decoding.SCALAR) {
      return out.get(output)[0];
    }
    float[][] probs = new float[3][];
    float[][] offsets = new float[3][];
    float[] deltas = new float[3];
    for (int k = 0; k < 3; k++) {
      probs[k] = out.get(SSRNET_PROBS[k]);
      offsets[k] = out.get(SSRNET_OFFSETS[k]);
      deltas[k] = out.get(SSRNET_DELTAS[k])[0];
    }
    return spec.ssrnetAge(probs, offsets, deltas);
  }

  /**
   * Computes a face embedding.
   *
   * @param image the image
   * @param face the face box (scaled by the spec's box scale)
   * @return the embedding as the model gives it (not normalised)
   * @throws IllegalStateException if this model is an age estimator
   */
  public float[] embed(BufferedImage image, Face face) {
    if (spec.decoding() != FaceEstimatorSpec.Decoding.EMBEDDING) {
      throw new IllegalStateException(model.file() + " is an age estimator, not an embedding model");
    }
    return run(image, face).get(output);
  }

  /**
   * Returns the cosine similarity of two vectors of the same length.
   *
   * @param a a vector
   * @param b a vector
   * @return a . b / (|a| |b|); NaN when either is all zero
   */
  public static double cosine(float[] a, float[] b) {
    checkArgument(a.length == b.length, "vectors of %s and %s values", a.length, b.length);
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }

  /**
   * Returns the model input for a face: the box scaled about its centre by the spec's box scale,
   * shifted inside the image (and cut to it), area-averaged to the input size and normalised.
   *
   * @param image the image
   * @param face the face box
   * @return the input tensor's values in the spec's layout
   */
  float[] input(BufferedImage image, Face face) {
    int iw = image.getWidth();
    int ih = image.getHeight();
    double w = Math.min(iw, face.width() * spec.boxScale());
    double h = Math.min(ih, face.height() * spec.boxScale());
    double cx = face.x() + face.width() / 2;
    double cy = face.y() + face.height() / 2;
    double x0 = Math.max(0, Math.min(iw - w, cx - w / 2));
    double y0 = Math.max(0, Math.min(ih - h, cy - h / 2));
    int ow = spec.width();
    int oh = spec.height();
    float[] rgb = areaResize(image, x0, y0, w, h, ow, oh);
    float[] in = new float[3 * ow * oh];
    float[] px = new float[3];
    for (int i = 0; i < ow * oh; i++) {
      System.arraycopy(rgb, 3 * i, px, 0, 3);
      for (int c = 0; c < 3; c++) {
        in[spec.nchw() ? c * ow * oh + i : 3 * i + c] = spec.normalise(px, c);
      }
    }
    return in;
  }

  /**
   * Resamples a region to {@code ow x oh} by exact area averaging: each output pixel is the mean
   * of the source pixels under its footprint, weighted by their covered fraction.
   *
   * @return interleaved RGB in [0, 255]
   */
  static float[] areaResize(BufferedImage img, double x0, double y0, double w, double h, int ow,
      int oh) {
    int iw = img.getWidth();
    int[] packed = PackedPixels.backingArray(img).orElse(null);
    double[][] wx = weights(x0, w, ow, iw);
    double[][] wy = weights(y0, h, oh, img.getHeight());
    int[] fx = firsts(x0, w, ow);
    int[] fy = firsts(y0, h, oh);
    float[] out = new float[3 * ow * oh];
    for (int oy = 0; oy < oh; oy++) {
      for (int ox = 0; ox < ow; ox++) {
        double r = 0;
        double g = 0;
        double b = 0;
        double sum = 0;
        for (int j = 0; j < wy[oy].length; j++) {
          int y = fy[oy] + j;
          for (int i = 0; i < wx[ox].length; i++) {
            int x = fx[ox] + i;
            double k = wy[oy][j] * wx[ox][i];
            int p = packed != null ? packed[y * iw + x] : img.getRGB(x, y);
            r += k * ((p >> 16) & 0xff);
            g += k * ((p >> 8) & 0xff);
            b += k * (p & 0xff);
            sum += k;
          }
        }
        int o = 3 * (oy * ow + ox);
        out[o] = (float) (r / sum);
        out[o + 1] = (float) (g / sum);
        out[o + 2] = (float) (b / sum);
      }
    }
    return out;
  }

  /** First source index under each output pixel's footprint {@code [s + o f, s + (o+1) f)}. */
  private static int[] firsts(double start, double len, int n) {
    int[] f = new int[n];
    double step = len / n;
    for (int o = 0; o < n; o++) {
      f[o] = (int) Math.floor(start + o * step);
    }
    return f;
  }

  /** Covered fraction of each source pixel under each output pixel's footprint. */
  private static double[][] weights(double start, double len, int n, int limit) {
    double step = len / n;
    double[][] w = new double[n][];
    for (int o = 0; o < n; o++) {
      double a = start + o * step;
      double b = a + step;
      int first = (int) Math.floor(a);
      int last = Math.max(first, Math.min(limit - 1, (int) Math.ceil(b) - 1));
      w[o] = new double[last - first + 1];
      for (int s = first; s <= last; s++) {
        w[o][s - first] = Math.max(0, Math.min(b, s + 1) - Math.max(a, s));
      }
      if (Arrays.stream(w[o]).sum() <= 0) {
        w[o][0] = 1; // a zero-width footprint: the nearest pixel
      }
    }
    return w;
  }

  private Map<String, float[]> run(BufferedImage image, Face face) {
    checkNotNull(image, "image");
    checkNotNull(face, "face");
    float[] in = input(image, face);
    long[] shape = spec.nchw() ? new long[] {1, 3, spec.height(), spec.width()}
        : new long[] {1, spec.height(), spec.width(), 3};
    return model.run(in, shape);
  }

  private static void checkInput(OrtModel m, FaceEstimatorSpec spec) {
    long[] s = m.inputShape();
    long[] want = spec.nchw() ? new long[] {1, 3, spec.height(), spec.width()}
        : new long[] {1, spec.height(), spec.width(), 3};
    boolean ok = s.length == 4;
    for (int i = 0; ok && i < 4; i++) {
      ok = s[i] == want[i] || s[i] < 0;
    }
    if (!ok) {
      throw mismatch(m, spec, "the sidecar says input " + Arrays.toString(want) + " but the model "
          + "takes " + Arrays.toString(s));
    }
  }

  private static String pickOutput(OrtModel m, FaceEstimatorSpec spec, Map<String, long[]> outs) {
    if (spec.outputName() != null) {
      if (!outs.containsKey(spec.outputName())) {
        throw mismatch(m, spec, "the sidecar names output " + spec.outputName()
            + " but the model's outputs are " + outs.keySet());
      }
      return spec.outputName();
    }
    if (outs.size() != 1) {
      throw mismatch(m, spec, "decoding " + spec.decoding().name().toLowerCase(java.util.Locale.ROOT)
          + " needs one output (or output.name), but the model has " + outs.size() + ": "
          + outs.keySet());
    }
    return outs.keySet().iterator().next();
  }

  private static void checkSsrnet(OrtModel m, FaceEstimatorSpec spec, Map<String, long[]> outs) {
    int[] stages = spec.stages();
    Map<String, Long> want = new LinkedHashMap<>();
    for (int k = 0; k < 3; k++) {
      want.put(SSRNET_PROBS[k], (long) stages[k]);
      want.put(SSRNET_DELTAS[k], 1L);
      want.put(SSRNET_OFFSETS[k], (long) stages[k]);
    }
    for (Map.Entry<String, Long> e : want.entrySet()) {
      long[] shape = outs.get(e.getKey());
      if (shape == null) {
        throw mismatch(m, spec, "decoding ssrnet needs the outputs " + want.keySet()
            + " but the model's outputs are " + outs.keySet());
      }
      long n = elements(shape);
      if (n != e.getValue() && n != -1) {
        throw mismatch(m, spec, "decoding ssrnet expects " + e.getKey() + " to hold "
            + e.getValue() + " values, but its shape is " + Arrays.toString(shape));
      }
    }
  }

  /** Values per batch item of an output shape; -1 when a non-batch axis is dynamic. */
  private static long elements(long[] shape) {
    long n = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return -1;
      }
      n *= shape[i];
    }
    return n;
  }

  private static ModelFormatException mismatch(OrtModel m, FaceEstimatorSpec spec, String what) {
    return new ModelFormatException(m.file() + " does not match its sidecar " + spec.source() + ": "
        + what);
  }

  @Override
  public void close() {
    model.close();
  }

  @Override
  public String toString() {
    return "FaceEstimator{" + model.file() + ", " + spec + "}";
  }
}
