package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.model.CommunityUNetLayout;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.util.List;

/**
 * The ONNX graph of the community U-Net family, following {@link CommunityUNetLayout} (names are
 * never hard-coded here): every 3x3 {@code Conv} (pad 1, with bias) is followed by
 * {@code LeakyRelu} (alpha {@link CommunityUNetLayout#LEAKY_SLOPE}); down-sampling is
 * {@code MaxPool} (kernel 2, stride 1) then BlurPool; up-sampling is {@code ConvTranspose}
 * (kernel 2, stride 2) then BlurPool, concatenated as [up, skip]; the output is a 1x1
 * {@code Conv}. A BlurPool is a reflect {@code Pad} (1 before, 2 after on H and W) and a depthwise
 * {@code Conv} (group = channels) with the file's stored {@code filt}. N, H and W are symbolic;
 * H and W must be multiples of {@link UNetConfig#sizeMultiple()} (at least
 * {@link UNetConfig#minimumSize()}), as for the PyTorch module. Not thread-safe; used once per
 * export.
 */
final class CommunityOnnxGraph {
  private final StateDict w;
  private final UNetConfig config;
  private final CommunityUNetLayout layout;
  private final OnnxGraph g = new OnnxGraph("fran_unet_community");
  private String blurPads;

  private CommunityOnnxGraph(StateDict w, UNetConfig config) {
    this.w = w;
    this.config = config;
    this.layout = config.communityLayout();
  }

  /** Builds the model; the weights must have been checked against the layout. */
  static OnnxMl.ModelProto build(StateDict weights, UNetConfig config) {
    return new CommunityOnnxGraph(weights, config).build();
  }

  private OnnxMl.ModelProto build() {
    int depth = config.depth();
    String[] skips = new String[depth + 1];
    String x = leakyConv(layout.initConv(1), leakyConv(layout.initConv(0),
        OnnxModelFormat.INPUT_NAME));
    skips[0] = x;
    for (int i = 1; i <= depth; i++) {
      String p = g.node("MaxPool", "down" + i + ".layer.0", List.of(x),
          OnnxGraph.ints("kernel_shape", 2, 2), OnnxGraph.ints("strides", 1, 1));
      p = blurPool(layout.downBlur(i), p);
      x = leakyConv(layout.downConv(i, 1), leakyConv(layout.downConv(i, 0), p));
      skips[i] = x;
    }
    for (int i = 1; i <= depth; i++) {
      CommunityUNetLayout.Conv t = layout.upTransposed(i);
      String u = g.node("ConvTranspose", t.prefix(), List.of(x, weight(t), bias(t)),
          OnnxGraph.ints("kernel_shape", 2, 2), OnnxGraph.ints("strides", 2, 2));
      u = blurPool(layout.upBlur(i), u);
      String cat = g.node("Concat", "up" + i + ".cat", List.of(u, skips[depth - i]),
          OnnxGraph.intAttr("axis", 1));
      x = leakyConv(layout.upConv(i, 1), leakyConv(layout.upConv(i, 0), cat));
    }
    CommunityUNetLayout.Conv f = layout.finalConv();
    String delta = g.node("Conv", OnnxModelFormat.OUTPUT_NAME, List.of(x, weight(f), bias(f)),
        OnnxGraph.ints("kernel_shape", 1, 1));
    g.proto().addInput(OnnxGraph.floatValue(OnnxModelFormat.INPUT_NAME, "N",
        config.inChannels(), "H", "W"));
    g.proto().addOutput(OnnxGraph.floatValue(delta, "N", config.outChannels(), "H", "W"));
    return g.model(OnnxExporter.metadata(config, "fp32"),
        "FRAN re-aging U-Net (community family) " + config.toJson());
  }

  private String weight(CommunityUNetLayout.Conv c) {
    int[] shape = c.weightShape();
    long[] dims = {shape[0], shape[1], shape[2], shape[3]};
    return g.floats(c.weight(), w.get(c.weight(), shape).toFloatArray(), dims);
  }

  private String bias(CommunityUNetLayout.Conv c) {
    return g.floats(c.bias(), w.get(c.bias(), c.out()).toFloatArray(), c.out());
  }

  /** A 3x3 conv (pad 1, bias) and LeakyReLU. */
  private String leakyConv(CommunityUNetLayout.Conv c, String x) {
    String y = g.node("Conv", c.prefix(), List.of(x, weight(c), bias(c)),
        OnnxGraph.ints("kernel_shape", 3, 3), OnnxGraph.ints("pads", 1, 1, 1, 1));
    return g.node("LeakyRelu", c.prefix() + ".lrelu", List.of(y),
        OnnxGraph.floatAttr("alpha", CommunityUNetLayout.LEAKY_SLOPE));
  }

  /** Reflect padding (1 before, 2 after) and the depthwise 4x4 stored filter at the stride. */
  private String blurPool(CommunityUNetLayout.Blur b, String x) {
    if (blurPads == null) {
      long lo = CommunityUNetLayout.BLUR_PAD_BEFORE;
      long hi = CommunityUNetLayout.BLUR_PAD_AFTER;
      blurPads = g.longs("blurpool.pads", new long[] {0, 0, lo, lo, 0, 0, hi, hi}, 8);
    }
    int k = CommunityUNetLayout.BLUR_SIZE;
    int c = b.channels();
    String filt = g.floats(b.name(), w.get(b.name(), c, 1, k, k).toFloatArray(), c, 1, k, k);
    String padded = g.node("Pad", b.name() + ".reflect", List.of(x, blurPads),
        OnnxGraph.string("mode", "reflect"));
    return g.node("Conv", b.name() + ".conv", List.of(padded, filt),
        OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("strides", b.stride(), b.stride()),
        OnnxGraph.intAttr("group", c));
  }
}
