package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.common.collect.ImmutableList;
import com.google.protobuf.ByteString;
import io.github.fran4j.core.tensor.DTypeCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An fp32 FRAN graph seen as layers that may compute in fp16, and the writer of its fp16 form:
 * fp16 initializers and activations, float32 graph inputs and outputs, a {@code Cast} wherever a
 * value crosses between an fp16 layer and a float32 one. Layers are named by their output tensor
 * (the PyTorch module name, e.g. {@code up1.conv.double_conv.3}). Inputs that ONNX defines as
 * float32 whatever the data type ({@code Resize} scales) and inputs read only for their shape stay
 * as they are. Immutable; thread-safe.
 */
final class Fp16Graph {
  private static final int FLOAT = TensorProto.DataType.FLOAT.getNumber();
  private static final int FLOAT16 = TensorProto.DataType.FLOAT16.getNumber();

  private final OnnxMl.ModelProto model;
  private final Map<String, TensorProto> initializers = new HashMap<>();
  private final Set<String> floatTyped = new HashSet<>();
  private final Map<String, List<NodeProto>> consumers = new HashMap<>();
  private final ImmutableList<String> layers;

  Fp16Graph(OnnxMl.ModelProto model) {
    this.model = model;
    OnnxMl.GraphProto g = model.getGraph();
    for (OnnxMl.ValueInfoProto in : g.getInputList()) {
      if (in.getType().getTensorType().getElemType() == FLOAT) {
        floatTyped.add(in.getName());
      }
    }
    for (TensorProto t : g.getInitializerList()) {
      initializers.put(t.getName(), t);
      if (t.getDataType() == FLOAT) {
        floatTyped.add(t.getName());
      }
    }
    ImmutableList.Builder<String> l = ImmutableList.builder();
    for (NodeProto n : g.getNodeList()) {
      n.getInputList().forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n));
      // Shape gives int64, and the pad arithmetic on it stays int64; everything else here keeps
      // its first input's type.
      boolean floatOut = !n.getOpType().equals("Shape") && n.getInputCount() > 0
          && floatTyped.contains(n.getInput(0));
      if (floatOut) {
        floatTyped.addAll(n.getOutputList());
        l.add(n.getOutput(0));
      }
    }
    this.layers = l.build();
  }

  /** Returns the layers (by output name) that compute in fp16 unless kept float, graph order. */
  ImmutableList<String> layers() {
    return layers;
  }

  /** Returns the layers whose float initializers (weights, biases) exceed fp16's range. */
  Set<String> layersWithWeightsBeyond(float limit) {
    Set<String> out = new LinkedHashSet<>();
    for (NodeProto n : model.getGraph().getNodeList()) {
      if (!isLayer(n)) {
        continue;
      }
      for (int i = 0; i < n.getInputCount(); i++) {
        TensorProto t = initializers.get(n.getInput(i));
        if (t != null && takesLayerPrecision(n, i) && maxAbs(OnnxGraph.floatData(t)) > limit) {
          out.add(n.getOutput(0));
        }
      }
    }
    return out;
  }

  /** Returns the layers reading {@code value} (the ones that would hold it in fp16). */
  List<String> readers(String value) {
    List<String> out = new ArrayList<>();
    for (NodeProto n : consumers.getOrDefault(value, List.of())) {
      if (isLayer(n)) {
        out.add(n.getOutput(0));
      }
    }
    return out;
  }

  private boolean isLayer(NodeProto n) {
    return n.getOutputCount() > 0 && floatTyped.contains(n.getOutput(0));
  }

  /** Whether input {@code i} of a layer takes the layer's own precision. */
  private boolean takesLayerPrecision(NodeProto n, int i) {
    String op = n.getOpType();
    return floatTyped.contains(n.getInput(i)) && !op.equals("Shape")
        && !(op.equals("Resize") && i > 0);
  }

  /**
   * Writes the fp16 model.
   *
   * @param floatLayers layers (output names) that compute in float32
   * @param metadata entries added to (or replacing) the fp32 model's
   */
  OnnxMl.ModelProto write(Set<String> floatLayers, Map<String, String> metadata) {
    OnnxMl.GraphProto g = model.getGraph();
    Set<String> graphOutputs = new HashSet<>();
    g.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
    Map<String, Integer> produced = new HashMap<>();
    g.getInputList().forEach(in -> produced.put(in.getName(), FLOAT));
    Map<String, Set<Integer>> needs = new HashMap<>();
    Set<String> readAsIs = new HashSet<>();
    for (NodeProto n : g.getNodeList()) {
      int p = precision(n, floatLayers);
      for (int i = 0; i < n.getInputCount(); i++) {
        if (p != 0 && takesLayerPrecision(n, i)) {
          needs.computeIfAbsent(n.getInput(i), k -> new HashSet<>()).add(p);
        } else {
          readAsIs.add(n.getInput(i));
        }
      }
      if (p != 0) {
        n.getOutputList().forEach(o -> produced.put(o, p));
      }
    }
    OnnxMl.GraphProto.Builder out = g.toBuilder().clearNode().clearInitializer().clearValueInfo();
    Map<String, String> halfInit = new HashMap<>();
    for (TensorProto t : g.getInitializerList()) {
      Set<Integer> need = needs.getOrDefault(t.getName(), Set.of());
      boolean keep = t.getDataType() != FLOAT || need.contains(FLOAT) || readAsIs.contains(t.getName())
          || need.isEmpty();
      if (keep) {
        out.addInitializer(t);
      }
      if (t.getDataType() == FLOAT && need.contains(FLOAT16)) {
        String name = keep ? t.getName() + "_fp16" : t.getName();
        out.addInitializer(toHalf(t, name));
        halfInit.put(t.getName(), name);
      }
    }
    Map<String, String> casts = new HashMap<>();
    for (NodeProto n : g.getNodeList()) {
      int p = precision(n, floatLayers);
      NodeProto.Builder b = n.toBuilder();
      for (int i = 0; i < n.getInputCount(); i++) {
        String in = n.getInput(i);
        if (p == 0 || !takesLayerPrecision(n, i)) {
          b.setInput(i, producedName(in, produced, graphOutputs));
        } else if (halfInit.containsKey(in) && p == FLOAT16) {
          b.setInput(i, halfInit.get(in));
        } else if (initializers.containsKey(in) || Integer.valueOf(p).equals(produced.get(in))) {
          b.setInput(i, producedName(in, produced, graphOutputs));
        } else {
          b.setInput(i, cast(out, casts, in, producedName(in, produced, graphOutputs), p));
        }
      }
      for (int o = 0; o < n.getOutputCount(); o++) {
        b.setOutput(o, producedName(n.getOutput(o), produced, graphOutputs));
      }
      out.addNode(b);
    }
    for (String o : graphOutputs) {
      if (produced.getOrDefault(o, FLOAT) == FLOAT16) {
        out.addNode(castNode(producedName(o, produced, graphOutputs), o, FLOAT));
      }
    }
    OnnxMl.ModelProto.Builder m = model.toBuilder().setGraph(out).clearMetadataProps();
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      if (!metadata.containsKey(e.getKey())) {
        m.addMetadataProps(e);
      }
    }
    metadata.forEach((k, v) -> m.addMetadataProps(
        OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** FLOAT16 or FLOAT for a layer, 0 for a node that computes no float value (shape arithmetic). */
  private int precision(NodeProto n, Set<String> floatLayers) {
    if (!isLayer(n)) {
      return 0;
    }
    return floatLayers.contains(n.getOutput(0)) ? FLOAT : FLOAT16;
  }

  /** A graph output an fp16 layer produces is written under another name and cast at the end. */
  private static String producedName(String v, Map<String, Integer> produced,
      Set<String> graphOutputs) {
    return graphOutputs.contains(v) && produced.getOrDefault(v, FLOAT) == FLOAT16 ? v + "_fp16" : v;
  }

  private static String cast(OnnxMl.GraphProto.Builder out, Map<String, String> casts,
      String value, String source, int to) {
    String key = value + "/" + to;
    String name = casts.get(key);
    if (name == null) {
      name = value + (to == FLOAT16 ? "_fp16" : "_fp32");
      out.addNode(castNode(source, name, to));
      casts.put(key, name);
    }
    return name;
  }

  private static NodeProto castNode(String in, String out, int to) {
    return NodeProto.newBuilder().setOpType("Cast").setName(out + "/Cast").addInput(in)
        .addOutput(out).addAttribute(OnnxGraph.intAttr("to", to)).build();
  }

  private static TensorProto toHalf(TensorProto t, String name) {
    float[] v = OnnxGraph.floatData(t);
    ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putShort(DTypeCodec.floatToHalf(f));
    }
    return TensorProto.newBuilder().setName(name).setDataType(FLOAT16)
        .addAllDims(t.getDimsList()).setRawData(ByteString.copyFrom(b.array())).build();
  }

  private static float maxAbs(float[] v) {
    float m = 0;
    for (float f : v) {
      m = Math.max(m, Math.abs(f));
    }
    return m;
  }
}
