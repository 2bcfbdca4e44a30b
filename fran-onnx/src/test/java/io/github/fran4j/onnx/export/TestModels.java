package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Small models and inputs shared by the fran-onnx tests. */
public final class TestModels {
  private TestModels() {}

  /**
   * The four generator graph variants: transposed or bilinear up-sampling, with or without
   * blur-pool, as JUnit arguments {@code (Upsampling, boolean)}.
   *
   * @return the variants
   */
  public static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of(Upsampling.TRANSPOSED, false),
        Arguments.of(Upsampling.TRANSPOSED, true),
        Arguments.of(Upsampling.BILINEAR, false),
        Arguments.of(Upsampling.BILINEAR, true));
  }

  /**
   * A random generator input: RGB in [0, 1] and two constant age planes per sample.
   *
   * @param seed seed
   * @param shape [N, C, H, W]
   * @return the tensor
   */
  public static Tensor input(long seed, int... shape) {
    SplittableRandom r = new SplittableRandom(seed);
    int n = shape[0];
    int c = shape[1];
    int hw = shape[2] * shape[3];
    float[] v = new float[n * c * hw];
    for (int b = 0; b < n; b++) {
      for (int ch = 0; ch < c; ch++) {
        float age = (float) (r.nextInt(10, 86) / 100.0);
        for (int i = 0; i < hw; i++) {
          v[(b * c + ch) * hw + i] = ch < 3 ? (float) r.nextDouble() : age;
        }
      }
    }
    return Tensor.wrap(v, shape);
  }

  /**
   * A foreign single-node model: {@code out = Conv1x1(in)} with weight {@code w[o][i] = o + 1 + i /
   * 10} and no metadata, like a hand-made or torch-exported model with other tensor names.
   *
   * @param inName input name
   * @param outName output name
   * @param inC input channels
   * @param outC output channels
   * @return the serialized model
   */
  public static byte[] foreignConv(String inName, String outName, int inC, int outC) {
    OnnxGraph g = new OnnxGraph("foreign");
    float[] w = new float[outC * inC];
    for (int o = 0; o < outC; o++) {
      for (int i = 0; i < inC; i++) {
        w[o * inC + i] = o + 1 + i / 10f;
      }
    }
    String wn = g.floats("w", w, outC, inC, 1, 1);
    g.proto().addNode(OnnxMl.NodeProto.newBuilder().setOpType("Conv").addInput(inName)
        .addInput(wn).addOutput(outName));
    g.proto().addInput(OnnxGraph.floatValue(inName, "batch", inC, "height", "width"));
    g.proto().addOutput(OnnxGraph.floatValue(outName, "batch", outC, "height", "width"));
    return g.model(Map.of(), "").toByteArray();
  }

  /**
   * A foreign model with a rank-3 input ({@code Relu} of [C, H, W]).
   *
   * @return the serialized model
   */
  public static byte[] rank3() {
    OnnxGraph g = new OnnxGraph("rank3");
    g.proto().addNode(OnnxMl.NodeProto.newBuilder().setOpType("Relu").addInput("x").addOutput("y"));
    g.proto().addInput(OnnxGraph.floatValue("x", 5, "h", "w"));
    g.proto().addOutput(OnnxGraph.floatValue("y", 5, "h", "w"));
    return g.model(Map.of(), "").toByteArray();
  }

  /**
   * Exports a model and replaces one metadata entry.
   *
   * @param weights weights
   * @param config config
   * @param key metadata key
   * @param value new value
   * @return the serialized model
   * @throws ModelFormatException never for matching weights
   */
  public static byte[] withMetadata(StateDict weights, UNetConfig config, String key, String value)
      throws ModelFormatException {
    OnnxMl.ModelProto m = OnnxExporter.toModel(weights, config);
    OnnxMl.ModelProto.Builder b = m.toBuilder().clearMetadataProps();
    for (OnnxMl.StringStringEntryProto e : m.getMetadataPropsList()) {
      b.addMetadataProps(e.getKey().equals(key) ? e.toBuilder().setValue(value).build() : e);
    }
    return b.build().toByteArray();
  }

  /** Returns the maximum absolute difference of two equally shaped tensors. */
  public static double maxAbsDiff(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    if (x.length != y.length) {
      throw new AssertionError("sizes differ: " + List.of(x.length, y.length));
    }
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      m = Math.max(m, Math.abs(x[i] - y[i]));
    }
    return m;
  }
}
