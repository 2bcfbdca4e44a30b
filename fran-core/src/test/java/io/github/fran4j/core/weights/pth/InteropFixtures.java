package io.github.fran4j.core.weights.pth;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PyTorch interop fixtures under {@code src/test/resources/interop/}, made by
 * {@code src/test/python/make_pth_fixtures.py} with real PyTorch: their manifest, files and
 * expected outputs (raw little-endian float32 plus a shape). Public so that other modules can
 * reuse them through the fran-core test-jar. Thread-safe (stateless).
 */
public final class InteropFixtures {
  /** The class-path folder of the fixtures. */
  public static final String RESOURCE_DIR = "/interop/";

  private InteropFixtures() {}

  /**
   * Returns a fixture as a file. Inside a jar (the test-jar), the resource is copied to a
   * temporary file first.
   *
   * @param name a file name relative to the fixture folder, e.g. {@code unet_t_w4_d2.pth}
   * @return a readable path
   */
  public static Path file(String name) {
    URL url = InteropFixtures.class.getResource(RESOURCE_DIR + name);
    if (url == null) {
      throw new IllegalArgumentException("no fixture " + RESOURCE_DIR + name);
    }
    try {
      if ("file".equals(url.getProtocol())) {
        return Path.of(url.toURI());
      }
      String suffix = name.substring(name.lastIndexOf('.'));
      Path tmp = Files.createTempFile("fran-fixture-", suffix);
      tmp.toFile().deleteOnExit();
      try (InputStream in = url.openStream()) {
        Files.write(tmp, in.readAllBytes());
      }
      return tmp;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Returns the parsed {@code manifest.json}. */
  public static JsonObject manifest() {
    try {
      return JsonParser.parseString(Files.readString(file("manifest.json"), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the manifest's model entries (one per .pth fixture). */
  public static List<JsonObject> models() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : manifest().getAsJsonArray("models")) {
      out.add(e.getAsJsonObject());
    }
    return out;
  }

  /** Returns the manifest's ONNX entries. */
  public static List<JsonObject> onnxModels() {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement e : manifest().getAsJsonArray("onnx")) {
      out.add(e.getAsJsonObject());
    }
    return out;
  }

  /**
   * Reads a raw float32 fixture described by {@code {"file": ..., "shape": [...]}}.
   *
   * @param ref the JSON description
   * @return the tensor
   */
  public static Tensor tensor(JsonObject ref) {
    JsonArray s = ref.getAsJsonArray("shape");
    int[] shape = new int[s.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = s.get(i).getAsInt();
    }
    try {
      byte[] b = Files.readAllBytes(file(ref.get("file").getAsString()));
      float[] v = new float[b.length / 4];
      ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return Tensor.ofFloats(v, shape);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the largest absolute difference between two tensors of the same shape. */
  public static double maxAbsDiff(Tensor a, Tensor b) {
    if (!a.hasShape(b.shape())) {
      throw new IllegalArgumentException("shapes differ: " + a + " vs " + b);
    }
    double m = 0;
    for (int i = 0; i < a.size(); i++) {
      m = Math.max(m, Math.abs((double) a.getFloat(i) - b.getFloat(i)));
    }
    return m;
  }
}
