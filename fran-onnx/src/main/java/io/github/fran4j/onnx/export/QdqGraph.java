package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What of an fp32 FRAN graph can be quantized: the dense convolutions and the activations that
 * may carry a {@code QuantizeLinear -> DequantizeLinear} pair, grouped into units that must share
 * one range and ordered output side first. Also writes the QDQ graph for a chosen set of int8
 * activations. Immutable; thread-safe.
 */
final class QdqGraph {
  private final OnnxMl.ModelProto model;
  private final ImmutableMap<String, TensorProto> initializers;
  private final ImmutableList<NodeProto> denseConvs;
  /** Units of activations that share one range, output side first. */
  private final ImmutableList<ImmutableList<String>> units;

  QdqGraph(OnnxMl.ModelProto model) {
    this.model = model;
    OnnxMl.GraphProto graph = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    graph.getInitializerList().forEach(t -> inits.put(t.getName(), t));
    this.initializers = ImmutableMap.copyOf(inits);
    Map<String, List<NodeProto>> consumers = new HashMap<>();
    Map<String, Integer> producedAt = new HashMap<>();
    Map<String, NodeProto> producer = new HashMap<>();
    for (int i = 0; i < graph.getNodeCount(); i++) {
      NodeProto n = graph.getNode(i);
      n.getInputList().forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(n));
      for (String o : n.getOutputList()) {
        producedAt.put(o, i);
        producer.put(o, n);
      }
    }
    this.denseConvs = graph.getNodeList().stream().filter(n -> isDenseConv(n, inits))
        .collect(ImmutableList.toImmutableList());
    this.units = units(activations(graph, inits, consumers), producer, producedAt);
  }

  /** The tensors that may carry a QDQ pair, in graph order. */
  private static Set<String> activations(OnnxMl.GraphProto graph,
      Map<String, TensorProto> inits, Map<String, List<NodeProto>> consumers) {
    Set<String> graphOutputs = new HashSet<>();
    graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
    Set<String> acts = new LinkedHashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      if (isDenseConv(n, inits)) {
        acts.add(n.getInput(0));
        String o = n.getOutput(0);
        boolean reluOnly = consumers.getOrDefault(o, List.of()).stream()
            .allMatch(c -> c.getOpType().equals("Relu"));
        // A quantized conv output lets ONNX Runtime fuse the conv into QLinearConv; after a ReLU
        // the ReLU's output plays that part (ORT folds the ReLU into the uint8 range).
        if (!graphOutputs.contains(o) && !reluOnly) {
          acts.add(o);
        }
      } else if (n.getOpType().equals("Relu") || n.getOpType().equals("LeakyRelu")
          || n.getOpType().equals("DepthToSpace")) {
        // ONNX Runtime fuses DQ -> LeakyRelu -> Q into QLinearLeakyRelu (community family).
        acts.add(n.getOutput(0));
      }
    }
    return acts;
  }

  /**
   * Groups activations into units, output side first: each Concat's up-sampling branch (through
   * Pad and DepthToSpace back to the up-sampling conv) joins the Concat's unit, because equal
   * scales make the requantization between them exact; every other activation is a unit alone.
   */
  private static ImmutableList<ImmutableList<String>> units(Set<String> acts,
      Map<String, NodeProto> producer, Map<String, Integer> producedAt) {
    Set<String> grouped = new HashSet<>();
    List<List<String>> unitList = new ArrayList<>();
    for (String a : acts) {
      NodeProto p = producer.get(a);
      if (p != null && p.getOpType().equals("Concat")) {
        List<String> unit = new ArrayList<>();
        unit.add(a);
        String t = p.getInput(p.getInputCount() - 1);
        while (true) {
          if (acts.contains(t) && !grouped.contains(t)) {
            unit.add(t);
          }
          NodeProto q = producer.get(t);
          if (q == null || !(q.getOpType().equals("Pad") || q.getOpType().equals("DepthToSpace"))) {
            break;
          }
          t = q.getInput(0);
        }
        grouped.addAll(unit);
        unitList.add(unit);
      }
    }
    for (String a : acts) {
      if (!grouped.contains(a)) {
        unitList.add(List.of(a));
      }
    }
    unitList.sort(Comparator.comparingInt((List<String> u) -> u.stream()
        .mapToInt(t -> producedAt.getOrDefault(t, -1)).max().orElse(-1)).reversed());
    return unitList.stream().map(ImmutableList::copyOf).collect(ImmutableList.toImmutableList());
  }

  OnnxMl.ModelProto model() {
    return model;
  }

  /** Returns every activation that may be quantized, output side first. */
  ImmutableList<String> activations() {
    ImmutableList.Builder<String> b = ImmutableList.builder();
    units.forEach(b::addAll);
    return b.build();
  }

  /** Returns the groups of activations that share one range, output side first. */
  ImmutableList<ImmutableList<String>> units() {
    return units;
  }

  /** Gives every activation of a unit the union of the unit's observed ranges, in place. */
  void shareRangesWithinUnits(Map<String, float[]> ranges) {
    for (List<String> unit : units) {
      float lo = 0;
      float hi = 0;
      for (String a : unit) {
        lo = Math.min(lo, ranges.get(a)[0]);
        hi = Math.max(hi, ranges.get(a)[1]);
      }
      for (String a : unit) {
        ranges.put(a, new float[] {lo, hi});
      }
    }
  }

  /**
   * Writes the QDQ model.
   *
   * @param ranges [min, max] per activation, for at least every activation in {@code int8}
   * @param int8 the activations to quantize; a dense conv whose input is among them gets int8
   *     weights, the others stay float
   * @param metadata extra metadata entries
   */
  OnnxMl.ModelProto write(Map<String, float[]> ranges, Set<String> int8,
      Map<String, String> metadata) {
    OnnxMl.GraphProto src = model.getGraph();
    OnnxMl.GraphProto.Builder out = src.toBuilder().clearNode().clearInitializer();
    OnnxGraph g = new OnnxGraph(out);
    Map<String, Float> scales = new HashMap<>();
    Map<String, String> dq = new HashMap<>();
    Map<String, List<NodeProto>> qdqAfter = new HashMap<>();
    for (String a : int8) {
      float[] r = ranges.get(a);
      float lo = Math.min(0f, r[0]);
      float hi = Math.max(0f, r[1]);
      float scale = hi > lo ? (hi - lo) / 255f : 1f;
      int zp = Math.max(0, Math.min(255, Math.round(-lo / scale)));
      String s = g.floats(a + ".act_scale", new float[] {scale});
      String z = g.uint8s(a + ".act_zp", new byte[] {(byte) zp});
      String q = a + ".q";
      String d = a + ".dq";
      qdqAfter.put(a, List.of(
          NodeProto.newBuilder().setOpType("QuantizeLinear").setName(q).addInput(a).addInput(s)
              .addInput(z).addOutput(q).build(),
          NodeProto.newBuilder().setOpType("DequantizeLinear").setName(d).addInput(q).addInput(s)
              .addInput(z).addOutput(d).build()));
      scales.put(a, scale);
      dq.put(a, d);
    }
    Set<String> replaced = new HashSet<>();
    Map<NodeProto, List<String>> convInputs = new HashMap<>();
    List<NodeProto> weightNodes = new ArrayList<>();
    for (NodeProto c : denseConvs) {
      if (int8.contains(c.getInput(0))) {
        convInputs.put(c, quantizeWeights(c, scales.get(c.getInput(0)), dq.get(c.getInput(0)), g,
            weightNodes, replaced));
      }
    }
    for (TensorProto t : src.getInitializerList()) {
      if (!replaced.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addAllNode(weightNodes);
    for (OnnxMl.ValueInfoProto in : src.getInputList()) {
      out.addAllNode(qdqAfter.getOrDefault(in.getName(), List.of()));
    }
    for (NodeProto n : src.getNodeList()) {
      NodeProto.Builder nb = n.toBuilder();
      List<String> ins = convInputs.get(n);
      if (ins != null) {
        nb.clearInput().addAllInput(ins);
      } else {
        for (int i = 0; i < n.getInputCount(); i++) {
          String d = dq.get(n.getInput(i));
          if (d != null) {
            nb.setInput(i, d);
          }
        }
      }
      out.addNode(nb);
      for (String o : n.getOutputList()) {
        out.addAllNode(qdqAfter.getOrDefault(o, List.of()));
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

  /**
   * Per-output-channel symmetric int8 weights and int32 biases with scale {@code s_in * s_w}, the
   * form QLinearConv needs. Returns the conv's new inputs.
   */
  private List<String> quantizeWeights(NodeProto c, float inputScale, String inputDq, OnnxGraph g,
      List<NodeProto> weightNodes, Set<String> replaced) {
    TensorProto wt = initializers.get(c.getInput(1));
    float[] w = OnnxGraph.floatData(wt);
    int[] dims = new int[wt.getDimsCount()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = (int) wt.getDims(i);
    }
    int channels = dims[0];
    int perChannel = w.length / channels;
    float[] ws = new float[channels];
    for (int i = 0; i < w.length; i++) {
      ws[i / perChannel] = Math.max(ws[i / perChannel], Math.abs(w[i]));
    }
    for (int ch = 0; ch < channels; ch++) {
      ws[ch] = ws[ch] > 0 ? ws[ch] / 127f : 1f;
    }
    byte[] q = new byte[w.length];
    for (int i = 0; i < w.length; i++) {
      q[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / ws[i / perChannel])));
    }
    String name = wt.getName();
    long[] shape = new long[dims.length];
    for (int i = 0; i < dims.length; i++) {
      shape[i] = dims[i];
    }
    String wq = g.int8s(name + ".int8", q, shape);
    String wsName = g.floats(name + ".w_scale", ws, channels);
    String wzName = g.int8s(name + ".w_zp", new byte[channels], channels);
    String wdq = name + ".dq";
    weightNodes.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(wdq)
        .addInput(wq).addInput(wsName).addInput(wzName).addOutput(wdq)
        .addAttribute(OnnxGraph.intAttr("axis", 0)).build());
    replaced.add(name);
    List<String> ins = new ArrayList<>(List.of(inputDq, wdq));
    if (c.getInputCount() > 2 && initializers.containsKey(c.getInput(2))) {
      TensorProto bt = initializers.get(c.getInput(2));
      float[] b = OnnxGraph.floatData(bt);
      int[] bq = new int[b.length];
      float[] bs = new float[b.length];
      for (int ch = 0; ch < b.length; ch++) {
        bs[ch] = inputScale * ws[ch];
        bq[ch] = (int) Math.round(b[ch] / (double) bs[ch]);
      }
      String bqName = g.ints(bt.getName() + ".int32", bq, b.length);
      String bsName = g.floats(bt.getName() + ".b_scale", bs, b.length);
      String bzName = g.ints(bt.getName() + ".b_zp", new int[b.length], b.length);
      String bdq = bt.getName() + ".dq";
      weightNodes.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(bdq)
          .addInput(bqName).addInput(bsName).addInput(bzName).addOutput(bdq)
          .addAttribute(OnnxGraph.intAttr("axis", 0)).build());
      replaced.add(bt.getName());
      ins.add(bdq);
    }
    return ins;
  }

  /** A {@code Conv} with a constant weight and group 1 (not the fixed depthwise blur). */
  private static boolean isDenseConv(NodeProto n, Map<String, TensorProto> inits) {
    if (!n.getOpType().equals("Conv") || n.getInputCount() < 2
        || !inits.containsKey(n.getInput(1))) {
      return false;
    }
    return n.getAttributeList().stream()
        .noneMatch(a -> a.getName().equals("group") && a.getI() != 1);
  }
}
