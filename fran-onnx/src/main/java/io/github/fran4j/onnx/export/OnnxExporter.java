package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.BlurKernel;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a FRAN U-Net ({@link StateDict} + {@link UNetConfig}) as an ONNX model.
 *
 * <p>The graph follows {@link UNetLayout} (names are never hard-coded here): opset 17, input
 * {@value OnnxModelFormat#INPUT_NAME} float32 {@code [N, 5, H, W]} and output
 * {@value OnnxModelFormat#OUTPUT_NAME} float32 {@code [N, 3, H, W]} with symbolic N, H and W.
 * Every BatchNorm is folded into the convolution before it (eval-mode statistics). Transposed
 * up-sampling becomes {@code ConvTranspose}; bilinear becomes {@code Resize} with
 * {@code align_corners}. With {@link UNetConfig#blurPool()} down-sampling is MaxPool(2, stride 1)
 * followed by a reflect-padded depthwise [1 2 1]^T[1 2 1]/16 blur of stride 2, and each decoder step
 * blurs after up-sampling. Up-sampled maps are padded to their skip's size with {@code Pad} nodes
 * computed from {@code Shape}, so any H and W (not only multiples of 2^depth) work, as in PyTorch.
 * The metadata keys are those of {@link OnnxModelFormat}. The community family
 * ({@link UNetFamily#COMMUNITY}) has its own graph, described on {@link CommunityOnnxGraph}.
 *
 * <p>A final utility class; thread-safe (no state).
 */
public final class OnnxExporter {
  private OnnxExporter() {}

  /**
   * Exports to a file, atomically: the file is written under a temporary name in the same folder
   * and then moved into place, so a reader never sees half a model.
   *
   * @param weights the PyTorch-named weights (BatchNorm running statistics included)
   * @param config the architecture
   * @param out the {@code .onnx} file to write (replaced if it exists)
   * @throws ModelFormatException if the weights do not match the configuration (listing every
   *     missing, misshaped and unexpected tensor)
   * @throws IOException if the file cannot be written
   */
  public static void export(StateDict weights, UNetConfig config, Path out) throws IOException {
    checkNotNull(out, "out");
    writeAtomically(toBytes(weights, config), out);
  }

  /**
   * Exports to bytes, e.g. to open a session in memory without a file.
   *
   * @param weights the PyTorch-named weights
   * @param config the architecture
   * @return the serialized ONNX model
   * @throws ModelFormatException if the weights do not match the configuration
   */
  public static byte[] toBytes(StateDict weights, UNetConfig config) throws ModelFormatException {
    return toModel(weights, config).toByteArray();
  }

  /**
   * Exports in fp16: the fp32 graph (BatchNorm folded) converted by {@code converter}, with fp16
   * weights and activations and float32 input and output. Use {@link Fp16Converter#create()} for
   * no range check, or a converter with calibration inputs to keep the layers fp16 cannot hold in
   * float32. Write the result with {@link #writeAtomically}.
   *
   * @param weights the PyTorch-named weights
   * @param config the architecture
   * @param converter the fp16 conversion settings
   * @return the fp16 model and the layers kept in float32
   * @throws ModelFormatException if the weights do not match the configuration, or calibration or
   *     validation cannot run
   */
  public static QuantizedModel toFp16(StateDict weights, UNetConfig config,
      Fp16Converter converter) throws ModelFormatException {
    checkNotNull(converter, "converter");
    return converter.convert(toBytes(weights, config));
  }

  /**
   * Writes bytes to a file through a temporary sibling and an atomic move.
   *
   * @param bytes the content
   * @param out the destination
   * @throws IOException if writing fails (the temporary file is removed)
   */
  public static void writeAtomically(byte[] bytes, Path out) throws IOException {
    checkNotNull(bytes, "bytes");
    Path abs = out.toAbsolutePath();
    Path dir = abs.getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    AtomicFiles.write(abs, bytes);
  }

  static OnnxMl.ModelProto toModel(StateDict weights, UNetConfig config)
      throws ModelFormatException {
    checkNotNull(weights, "weights");
    checkNotNull(config, "config");
    config.weightLayout().check(weights);
    OnnxMl.ModelProto model = config.family() == UNetFamily.COMMUNITY
        ? CommunityOnnxGraph.build(weights, config)
        : new Builder(weights, config).build();
    // Provenance travels with the model: the trainer's record goes into metadata_props unchanged.
    Optional<Provenance> provenance = Provenance.fromMetadata(weights.metadata(), "the weights");
    if (provenance.isEmpty()) {
      return model;
    }
    OnnxMl.ModelProto.Builder b = model.toBuilder();
    provenance.get().toMetadata().forEach((k, v) -> b.addMetadataProps(
        OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return b.build();
  }

  /** The metadata every exported model carries. */
  static Map<String, String> metadata(UNetConfig config, String precision) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(OnnxModelFormat.FORMAT_VERSION_KEY, Integer.toString(OnnxModelFormat.FORMAT_VERSION));
    m.put(OnnxModelFormat.UNET_CONFIG_KEY, config.toJson());
    m.put(OnnxModelFormat.TRAINING_RESOLUTION_KEY, Integer.toString(config.trainingResolution()));
    m.put(OnnxModelFormat.AGE_SCALE_KEY, Integer.toString(OnnxModelFormat.AGE_SCALE));
    m.put(OnnxModelFormat.PRECISION_KEY, precision);
    return m;
  }

  /** Builds one graph; holds the shared constants. */
  private static final class Builder {
    private final StateDict w;
    private final UNetConfig config;
    private final UNetLayout layout;
    private final OnnxGraph g = new OnnxGraph("fran_unet");
    private final Map<Integer, String> blurKernels = new HashMap<>();
    private String reflectPads;
    private String zeros2;
    private String two;

    Builder(StateDict w, UNetConfig config) {
      this.w = w;
      this.config = config;
      this.layout = config.layout();
    }

    OnnxMl.ModelProto build() {
      int depth = config.depth();
      String[] skips = new String[depth + 1];
      String x = doubleConv(layout.inc(), OnnxModelFormat.INPUT_NAME);
      skips[0] = x;
      for (int i = 1; i <= depth; i++) {
        UNetLayout.DoubleConv block = layout.down(i);
        String base = "down" + i + ".pool";
        String p;
        if (config.blurPool()) {
          p = g.node("MaxPool", base, List.of(x), OnnxGraph.ints("kernel_shape", 2, 2),
              OnnxGraph.ints("strides", 1, 1));
          p = blur(p, block.in(), 2, "down" + i + ".blur");
        } else {
          p = g.node("MaxPool", base, List.of(x), OnnxGraph.ints("kernel_shape", 2, 2),
              OnnxGraph.ints("strides", 2, 2));
        }
        x = doubleConv(block, p);
        skips[i] = x;
      }
      for (int i = 1; i <= depth; i++) {
        String skip = skips[depth - i];
        int c = layout.upInput(i);
        String u;
        int upChannels;
        if (config.upsampling() == Upsampling.TRANSPOSED) {
          String prefix = layout.upTransposed(i);
          String wt = g.floats(prefix + ".weight", w.get(prefix + ".weight", c, c / 2, 2, 2)
              .toFloatArray(), c, c / 2, 2, 2);
          String bias = g.floats(prefix + ".bias", w.get(prefix + ".bias", c / 2).toFloatArray(),
              c / 2);
          u = g.node("ConvTranspose", prefix, List.of(x, wt, bias),
              OnnxGraph.ints("kernel_shape", 2, 2), OnnxGraph.ints("strides", 2, 2));
          upChannels = c / 2;
        } else {
          String scales = g.floats("up" + i + ".scales", new float[] {1, 1, 2, 2}, 4);
          u = g.node("Resize", "up" + i + ".up", List.of(x, "", scales),
              OnnxGraph.string("mode", "linear"),
              OnnxGraph.string("coordinate_transformation_mode", "align_corners"));
          upChannels = c;
        }
        if (config.blurPool()) {
          u = blur(u, upChannels, 1, "up" + i + ".blur");
        }
        u = padTo(u, skip, "up" + i + ".pad");
        String cat = g.node("Concat", "up" + i + ".cat", List.of(skip, u),
            OnnxGraph.intAttr("axis", 1));
        x = doubleConv(layout.upConv(i), cat);
      }
      int out = config.outChannels();
      int base = config.baseWidth();
      String ow = g.floats(layout.outWeight(),
          w.get(layout.outWeight(), out, base, 1, 1).toFloatArray(), out, base, 1, 1);
      String ob = g.floats(layout.outBias(), w.get(layout.outBias(), out).toFloatArray(), out);
      String delta = g.node("Conv", OnnxModelFormat.OUTPUT_NAME, List.of(x, ow, ob),
          OnnxGraph.ints("kernel_shape", 1, 1));
      g.proto().addInput(OnnxGraph.floatValue(OnnxModelFormat.INPUT_NAME, "N",
          config.inChannels(), "H", "W"));
      g.proto().addOutput(OnnxGraph.floatValue(delta, "N", out, "H", "W"));
      return g.model(metadata(config, "fp32"), "FRAN re-aging U-Net " + config.toJson());
    }

    private String doubleConv(UNetLayout.DoubleConv b, String x) {
      String y = convBn(x, b, 0, 1, b.in(), b.mid());
      y = g.node("Relu", b.prefix() + ".double_conv.2", List.of(y));
      y = convBn(y, b, 3, 4, b.mid(), b.out());
      return g.node("Relu", b.prefix() + ".double_conv.5", List.of(y));
    }

    /** A 3x3 conv (pad 1, no bias) followed by BatchNorm, folded into one conv with a bias. */
    private String convBn(String x, UNetLayout.DoubleConv b, int conv, int bn, int in, int out) {
      float[] wt = w.get(b.name(conv, "weight"), out, in, 3, 3).toFloatArray();
      float[] gamma = w.get(b.name(bn, "weight"), out).toFloatArray();
      float[] beta = w.get(b.name(bn, "bias"), out).toFloatArray();
      float[] mean = w.get(b.name(bn, "running_mean"), out).toFloatArray();
      float[] var = w.get(b.name(bn, "running_var"), out).toFloatArray();
      float[] bias = new float[out];
      int per = in * 9;
      for (int o = 0; o < out; o++) {
        // Double precision so that folding adds no error beyond the final float rounding.
        double s = gamma[o] / Math.sqrt((double) var[o] + UNetLayout.BATCH_NORM_EPS);
        for (int k = o * per; k < (o + 1) * per; k++) {
          wt[k] = (float) (wt[k] * s);
        }
        bias[o] = (float) (beta[o] - mean[o] * s);
      }
      String wn = g.floats(b.name(conv, "weight"), wt, out, in, 3, 3);
      String bname = g.floats(b.name(conv, "bias"), bias, out);
      return g.node("Conv", b.prefix() + ".double_conv." + conv, List.of(x, wn, bname),
          OnnxGraph.ints("kernel_shape", 3, 3), OnnxGraph.ints("pads", 1, 1, 1, 1));
    }

    /** Reflect-pads by 1 and applies the fixed depthwise binomial blur. */
    private String blur(String x, int channels, int stride, String base) {
      if (reflectPads == null) {
        reflectPads = g.longs("blur.pads", new long[] {0, 0, 1, 1, 0, 0, 1, 1}, 8);
      }
      String kernel = blurKernels.computeIfAbsent(channels,
          c -> g.floats("blur.kernel" + c, BlurKernel.depthwise(c), c, 1, 3, 3));
      String padded = g.node("Pad", base + ".reflect", List.of(x, reflectPads),
          OnnxGraph.string("mode", "reflect"));
      return g.node("Conv", base, List.of(padded, kernel), OnnxGraph.ints("kernel_shape", 3, 3),
          OnnxGraph.ints("strides", stride, stride), OnnxGraph.intAttr("group", channels));
    }

    /**
     * Zero-pads {@code up} to the spatial size of {@code skip} as PyTorch's
     * {@code F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])} does; the amounts are computed
     * in the graph so that every input size works.
     */
    private String padTo(String up, String skip, String base) {
      if (zeros2 == null) {
        zeros2 = g.longs("pad.zeros", new long[] {0, 0}, 2);
        two = g.longs("pad.two", new long[] {2});
      }
      String skipHw = g.node("Shape", base + ".skip_hw", List.of(skip),
          OnnxGraph.intAttr("start", 2));
      String upHw = g.node("Shape", base + ".up_hw", List.of(up), OnnxGraph.intAttr("start", 2));
      String diff = g.node("Sub", base + ".diff", List.of(skipHw, upHw));
      String begin = g.node("Div", base + ".begin", List.of(diff, two));
      String end = g.node("Sub", base + ".end", List.of(diff, begin));
      String pads = g.node("Concat", base + ".pads", List.of(zeros2, begin, zeros2, end),
          OnnxGraph.intAttr("axis", 0));
      return g.node("Pad", base, List.of(up, pads), OnnxGraph.string("mode", "constant"));
    }
  }
}
