package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rewrites every 2x2, stride-2 {@code ConvTranspose} into a 1x1 {@code Conv} with four times the
 * output channels followed by {@code DepthToSpace} (block 2, mode CRD), an exact identity: each
 * output pixel of such a transposed convolution depends on exactly one input pixel, through one of
 * the four kernel taps chosen by the pixel's position in its 2x2 block.
 *
 * <p>Why: ONNX Runtime's CPU provider fuses a QDQ {@code Conv} into {@code QLinearConv} but runs a
 * QDQ {@code ConvTranspose} in float, dequantizing its weights on every call and converting layouts
 * around it; on the seed-size U-Net at 256x256 that float path was about 30% of the int8 model's
 * time. As a 1x1 convolution the up-sampling runs in int8 like every other layer.
 *
 * <p>A final utility class; thread-safe (no state).
 */
final class StrideTwoUpsampling {
  private StrideTwoUpsampling() {}

  /** Suffix of the 1x1 convolution's output, the tensor before {@code DepthToSpace}. */
  static final String CONV_SUFFIX = ".s2d";

  /**
   * Returns the model with every eligible {@code ConvTranspose} rewritten; other nodes, names and
   * metadata are kept, and the rewritten pair's final output keeps the original output's name.
   */
  static OnnxMl.ModelProto rewrite(OnnxMl.ModelProto model) {
    OnnxMl.GraphProto src = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : src.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    OnnxMl.GraphProto.Builder out = src.toBuilder().clearNode();
    OnnxGraph g = new OnnxGraph(out);
    java.util.Set<String> replaced = new java.util.HashSet<>();
    for (NodeProto n : src.getNodeList()) {
      if (!eligible(n, inits)) {
        out.addNode(n);
        continue;
      }
      replaced.addAll(n.getInputList().subList(1, n.getInputCount()));
      TensorProto wt = inits.get(n.getInput(1));
      int ci = (int) wt.getDims(0);
      int co = (int) wt.getDims(1);
      float[] w = OnnxGraph.floatData(wt);
      // ConvTranspose weight [ci, co, dy, dx] -> Conv weight [co*4 + dy*2 + dx, ci, 1, 1], the
      // channel order DepthToSpace's CRD mode expects.
      float[] w1 = new float[w.length];
      for (int i = 0; i < ci; i++) {
        for (int o = 0; o < co; o++) {
          for (int k = 0; k < 4; k++) {
            w1[(o * 4 + k) * ci + i] = w[(i * co + o) * 4 + k];
          }
        }
      }
      String base = n.getOutput(0);
      String wName = g.floats(wt.getName() + ".as_conv1x1", w1, 4L * co, ci, 1, 1);
      List<String> ins = new java.util.ArrayList<>(List.of(n.getInput(0), wName));
      if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
        float[] b = OnnxGraph.floatData(inits.get(n.getInput(2)));
        float[] b4 = new float[4 * co];
        for (int o = 0; o < co; o++) {
          java.util.Arrays.fill(b4, 4 * o, 4 * o + 4, b[o]);
        }
        ins.add(g.floats(n.getInput(2) + ".as_conv1x1", b4, 4L * co));
      }
      String conv = base + CONV_SUFFIX;
      out.addNode(NodeProto.newBuilder().setOpType("Conv").setName(conv + "/Conv")
          .addAllInput(ins).addOutput(conv)
          .addAttribute(OnnxGraph.ints("kernel_shape", 1, 1)));
      out.addNode(NodeProto.newBuilder().setOpType("DepthToSpace").setName(base + "/DepthToSpace")
          .addInput(conv).addOutput(base)
          .addAttribute(OnnxGraph.intAttr("blocksize", 2))
          .addAttribute(OnnxGraph.string("mode", "CRD")));
    }
    if (replaced.isEmpty()) {
      return model;
    }
    // Drop the old weights unless a node that was not rewritten still reads them.
    for (NodeProto n : out.getNodeList()) {
      n.getInputList().forEach(replaced::remove);
    }
    List<TensorProto> kept = new java.util.ArrayList<>(out.getInitializerList());
    kept.removeIf(t -> replaced.contains(t.getName()));
    out.clearInitializer().addAllInitializer(kept);
    return model.toBuilder().setGraph(out).build();
  }

  private static boolean eligible(NodeProto n, Map<String, TensorProto> inits) {
    if (!n.getOpType().equals("ConvTranspose") || n.getInputCount() < 2) {
      return false;
    }
    TensorProto w = inits.get(n.getInput(1));
    if (w == null || w.getDimsCount() != 4 || w.getDims(2) != 2 || w.getDims(3) != 2
        || w.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
      return false;
    }
    if (n.getInputCount() > 2 && !n.getInput(2).isEmpty() && !inits.containsKey(n.getInput(2))) {
      return false;
    }
    for (AttributeProto a : n.getAttributeList()) {
      switch (a.getName()) {
        case "strides":
          if (!a.getIntsList().equals(List.of(2L, 2L))) {
            return false;
          }
          break;
        case "kernel_shape":
          if (!a.getIntsList().equals(List.of(2L, 2L))) {
            return false;
          }
          break;
        case "group":
          if (a.getI() != 1) {
            return false;
          }
          break;
        case "pads":
        case "output_padding":
          if (a.getIntsList().stream().anyMatch(v -> v != 0)) {
            return false;
          }
          break;
        case "dilations":
          if (a.getIntsList().stream().anyMatch(v -> v != 1)) {
            return false;
          }
          break;
        default:
          // auto_pad, output_shape: anything unusual is left to ONNX Runtime's own kernel.
          return false;
      }
    }
    return true;
  }
}
