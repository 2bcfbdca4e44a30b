package io.github.fran4j.onnx.face;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ModelFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * How to feed a face estimator model and read its answer: the JSON sidecar next to the model
 * ({@code fr_age.onnx.json} for {@code fr_age.onnx}). Immutable and thread-safe.
 *
 * <pre>{@code
 * {
 *   "input":  {"width": 64, "height": 64, "layout": "NCHW", "channels": "RGB",
 *              "scale": 255, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
 *   "crop":   {"boxScale": 1.4},
 *   "output": {"decoding": "ssrnet", "stages": [3, 3, 3], "lambdaLocal": 1, "lambdaD": 1,
 *              "range": 101}
 * }
 * }</pre>
 *
 * <p>Each input value is {@code (pixel / scale - mean[c]) / std[c]} with {@code pixel} in 0-255
 * ({@code scale}, {@code mean} and {@code std} default to 1, 0 and 1). {@code layout} is
 * {@code NCHW} or {@code NHWC}; {@code channels} is {@code RGB} or {@code BGR}. The face box is
 * scaled by {@code crop.boxScale} (default 1) about its centre, shifted inside the image and
 * area-averaged to the input size. Output decodings:
 *
 * <ul>
 *   <li>{@code scalar}: one value, the age in years ({@code output.name} picks the output when
 *       the model has several);
 *   <li>{@code ssrnet}: SSR-Net's soft stagewise regression over the outputs {@code
 *       prob_stage_k}, {@code stagek_delta_k} and {@code index_offset_stagek} (k = 1..3);
 *   <li>{@code embedding}: a face embedding vector, compared by cosine similarity.
 * </ul>
 */
public final class FaceEstimatorSpec {
  /** What the model's output means and how it is decoded. */
  public enum Decoding {
    /** One value: the age in years. */
    SCALAR,
    /** SSR-Net's stagewise outputs, merged into an age. */
    SSRNET,
    /** A face embedding vector. */
    EMBEDDING;

    /** {@return whether the decoding gives an age} */
    public boolean isAge() {
      return this != EMBEDDING;
    }
  }

  private final Path source;
  private final int width;
  private final int height;
  private final boolean nchw;
  private final boolean bgr;
  private final double scale;
  private final double[] mean;
  private final double[] std;
  private final double boxScale;
  private final Decoding decoding;
  private final String outputName;
  private final int[] stages;
  private final double lambdaLocal;
  private final double lambdaD;
  private final double range;

  private FaceEstimatorSpec(Path source, JsonObject root) {
    this.source = source;
    JsonObject in = object(root, "input", true);
    this.width = positiveInt(in, "width");
    this.height = positiveInt(in, "height");
    String layout = string(in, "layout", "NCHW").toUpperCase(Locale.ROOT);
    if (!layout.equals("NCHW") && !layout.equals("NHWC")) {
      throw error("input.layout must be NCHW or NHWC, got " + layout);
    }
    this.nchw = layout.equals("NCHW");
    String channels = string(in, "channels", "RGB").toUpperCase(Locale.ROOT);
    if (!channels.equals("RGB") && !channels.equals("BGR")) {
      throw error("input.channels must be RGB or BGR, got " + channels);
    }
    this.bgr = channels.equals("BGR");
    this.scale = number(in, "scale", 1);
    this.mean = triple(in, "mean", 0);
    this.std = triple(in, "std", 1);
    if (!(scale > 0) || Arrays.stream(std).anyMatch(v -> !(v > 0))) {
      throw error("input.scale and input.std must be positive");
    }
    JsonObject crop = object(root, "crop", false);
    this.boxScale = crop == null ? 1 : number(crop, "boxScale", 1);
    if (!(boxScale > 0)) {
      throw error("crop.boxScale must be positive, got " + boxScale);
    }
    JsonObject out = object(root, "output", true);
    String d = string(out, "decoding", null);
    if (d == null) {
      throw error("output.decoding is missing (scalar, ssrnet or embedding)");
    }
    try {
      this.decoding = Decoding.valueOf(d.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw error("output.decoding must be scalar, ssrnet or embedding, got " + d);
    }
    this.outputName = string(out, "name", null);
    this.stages = ints(out, "stages", new int[] {3, 3, 3});
    if (stages.length != 3 || Arrays.stream(stages).anyMatch(v -> v < 1)) {
      throw error("output.stages must be three positive stage sizes, got "
          + Arrays.toString(stages));
    }
    this.lambdaLocal = number(out, "lambdaLocal", 1);
    this.lambdaD = number(out, "lambdaD", 1);
    this.range = number(out, "range", 101);
  }

  /**
   * Reads a sidecar file.
   *
   * @param file the JSON file
   * @return the spec
   * @throws NoSuchFileException if the file does not exist (naming it)
   * @throws ModelFormatException if it is not valid JSON or a field is missing or invalid
   */
  public static FaceEstimatorSpec read(Path file) throws IOException {
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null,
          "estimator sidecar not found (a JSON file describing the model's input and output; "
              + "see docs/evaluation.md)");
    }
    return parse(file, Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * Parses sidecar JSON.
   *
   * @param source where the text came from, for messages
   * @param json the JSON text
   * @return the spec
   * @throws ModelFormatException if it is not valid JSON or a field is missing or invalid
   */
  public static FaceEstimatorSpec parse(Path source, String json) {
    checkNotNull(source, "source");
    checkNotNull(json, "json");
    JsonElement root;
    try {
      root = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new ModelFormatException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (!root.isJsonObject()) {
      throw new ModelFormatException(source + ": expected a JSON object");
    }
    return new FaceEstimatorSpec(source, root.getAsJsonObject());
  }

  /**
   * Returns the sidecar path of a model: the model's file name with {@code .json} appended.
   *
   * @param model the model file
   * @return {@code model + ".json"}
   */
  public static Path sidecarOf(Path model) {
    checkNotNull(model, "model");
    return model.resolveSibling(model.getFileName() + ".json");
  }

  /** {@return where this spec was read from} */
  public Path source() {
    return source;
  }

  /** {@return the model's input width} */
  public int width() {
    return width;
  }

  /** {@return the model's input height} */
  public int height() {
    return height;
  }

  /** {@return whether the input is NCHW (else NHWC)} */
  public boolean nchw() {
    return nchw;
  }

  /** {@return the face box scale about its centre} */
  public double boxScale() {
    return boxScale;
  }

  /** {@return the output decoding} */
  public Decoding decoding() {
    return decoding;
  }

  /** {@return the output to read, or null for the model's only output} */
  public String outputName() {
    return outputName;
  }

  /**
   * Returns the model input value of one channel of a pixel.
   *
   * @param rgb the pixel's 0-255 red, green and blue values
   * @param c the model channel index (0-2, in the spec's channel order)
   * @return the normalised value
   */
  float normalise(float[] rgb, int c) {
    double v = rgb[bgr ? 2 - c : c];
    return (float) ((v / scale - mean[c]) / std[c]);
  }

  /** {@return the SSR-Net stage sizes} */
  int[] stages() {
    return stages.clone();
  }

  /**
   * Merges SSR-Net's stage outputs into an age: for each stage k, the expectation of (bin index
   * + lambdaLocal x index offset) under the stage's probabilities, divided by the product over
   * stages 1..k of {@code s_j (1 + lambdaD x delta_j)}; the sum over stages times the age range.
   *
   * @param probs the three stages' probabilities
   * @param offsets the three stages' index offsets
   * @param deltas the three stages' width adjustments
   * @return the age in years
   */
  double ssrnetAge(float[][] probs, float[][] offsets, float[] deltas) {
    double age = 0;
    double denominator = 1;
    for (int k = 0; k < 3; k++) {
      denominator *= stages[k] * (1 + lambdaD * deltas[k]);
      double sum = 0;
      for (int i = 0; i < stages[k]; i++) {
        sum += (i + lambdaLocal * offsets[k][i]) * probs[k][i];
      }
      age += sum / denominator;
    }
    return age * range;
  }

  /** {@return an error naming the sidecar} */
  ModelFormatException error(String message) {
    return new ModelFormatException(source + ": " + message);
  }

  private JsonObject object(JsonObject o, String key, boolean required) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw error("the \"" + key + "\" object is missing");
      }
      return null;
    }
    if (!e.isJsonObject()) {
      throw error("\"" + key + "\" must be an object");
    }
    return e.getAsJsonObject();
  }

  private String string(JsonObject o, String key, String def) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return def;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw error("\"" + key + "\" must be a string");
    }
    return e.getAsString();
  }

  private double number(JsonObject o, String key, double def) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return def;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      throw error("\"" + key + "\" must be a number");
    }
    double v = e.getAsDouble();
    if (!Double.isFinite(v)) {
      throw error("\"" + key + "\" must be finite");
    }
    return v;
  }

  private int positiveInt(JsonObject o, String key) {
    double v = number(o, key, Double.NaN);
    if (Double.isNaN(v)) {
      throw error("input." + key + " is missing");
    }
    if (v < 1 || v != Math.rint(v) || v > 4096) {
      throw error("input." + key + " must be a whole number 1-4096, got " + v);
    }
    return (int) v;
  }

  private double[] triple(JsonObject o, String key, double def) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return new double[] {def, def, def};
    }
    if (e.isJsonPrimitive()) {
      double v = number(o, key, def);
      return new double[] {v, v, v};
    }
    double[] v = numbers(e, key);
    if (v.length != 3) {
      throw error("input." + key + " must be one number or three, got " + v.length);
    }
    return v;
  }

  private int[] ints(JsonObject o, String key, int[] def) {
    JsonElement e = o.get(key);
    if (e == null || e.isJsonNull()) {
      return def;
    }
    double[] v = numbers(e, key);
    int[] out = new int[v.length];
    for (int i = 0; i < v.length; i++) {
      if (v[i] != Math.rint(v[i])) {
        throw error("\"" + key + "\" must hold whole numbers");
      }
      out[i] = (int) v[i];
    }
    return out;
  }

  private double[] numbers(JsonElement e, String key) {
    if (!e.isJsonArray()) {
      throw error("\"" + key + "\" must be an array of numbers");
    }
    JsonArray a = e.getAsJsonArray();
    double[] v = new double[a.size()];
    for (int i = 0; i < v.length; i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw error("\"" + key + "\" must be an array of numbers");
      }
      v[i] = x.getAsDouble();
    }
    return v;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FaceEstimatorSpec{%s, %dx%d %s %s, %s}", source, width,
        height, nchw ? "NCHW" : "NHWC", bgr ? "BGR" : "RGB",
        decoding.name().toLowerCase(Locale.ROOT));
  }
}
