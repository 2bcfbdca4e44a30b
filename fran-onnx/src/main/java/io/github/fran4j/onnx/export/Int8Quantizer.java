package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization of an fp32 FRAN ONNX model in QDQ form, calibrated on real inputs.
 *
 * <p>Weights of every dense {@code Conv} and {@code ConvTranspose} become per-output-channel
 * symmetric int8 ({@code DequantizeLinear} with an axis), biases int32 with scale
 * {@code s_input * s_weight}. Activations become asymmetric uint8 through
 * {@code QuantizeLinear -> DequantizeLinear} pairs on each quantized conv's input and on every
 * {@code Relu} and {@code ConvTranspose} output, with min/max ranges observed by running the fp32
 * graph in ONNX Runtime with those tensors exposed as extra outputs. The final 1x1 conv's output,
 * {@code delta}, stays float. ONNX Runtime fuses the pattern into {@code QLinearConv} at
 * optimization level {@code all}. The fixed depthwise blur convolutions are left in float.
 *
 * <p>A final utility class; thread-safe (no state).
 */
public final class Int8Quantizer {
  private Int8Quantizer() {}

  /**
   * Quantizes a model.
   *
   * @param fp32Model an fp32 model written by {@link OnnxExporter}
   * @param calibration representative inputs, e.g. from {@link CalibrationImages#load}
   * @return the int8 QDQ model, with {@link OnnxModelFormat#PRECISION_KEY} {@code int8-qdq}
   * @throws ModelFormatException if the bytes are not an ONNX model or calibration runs fail
   */
  public static byte[] quantize(byte[] fp32Model, List<Tensor> calibration)
      throws ModelFormatException {
    checkNotNull(fp32Model, "fp32Model");
    checkNotNull(calibration, "calibration");
    checkArgument(!calibration.isEmpty(), "calibration needs at least one input");
    OnnxMl.ModelProto model;
    try {
      model = OnnxMl.ModelProto.parseFrom(fp32Model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException("not an ONNX model: " + e.getMessage(), e);
    }
    OnnxMl.GraphProto graph = model.getGraph();
    Map<String, TensorProto> inits = new HashMap<>();
    for (TensorProto t : graph.getInitializerList()) {
      inits.put(t.getName(), t);
    }
    List<NodeProto> convs = new ArrayList<>();
    Set<String> activations = new LinkedHashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      if (isQuantizable(n, inits)) {
        convs.add(n);
        activations.add(n.getInput(0));
        if (n.getOpType().equals("ConvTranspose")) {
          activations.add(n.getOutput(0));
        }
      } else if (n.getOpType().equals("Relu")) {
        activations.add(n.getOutput(0));
      }
    }
    Map<String, float[]> ranges = calibrate(model, activations, calibration);
    return rewrite(model, inits, convs, ranges, calibration.size()).toByteArray();
  }

  private static boolean isQuantizable(NodeProto n, Map<String, TensorProto> inits) {
    boolean conv = n.getOpType().equals("Conv") || n.getOpType().equals("ConvTranspose");
    if (!conv || n.getInputCount() < 2 || !inits.containsKey(n.getInput(1))) {
      return false;
    }
    for (OnnxMl.AttributeProto a : n.getAttributeList()) {
      if (a.getName().equals("group") && a.getI() != 1) {
        return false;
      }
    }
    return true;
  }

  /** Returns [min, max] per activation, over all calibration inputs. */
  private static Map<String, float[]> calibrate(OnnxMl.ModelProto model, Set<String> names,
      List<Tensor> inputs) throws ModelFormatException {
    OnnxMl.GraphProto.Builder g = model.getGraph().toBuilder();
    Set<String> existing = new LinkedHashSet<>();
    g.getOutputList().forEach(o -> existing.add(o.getName()));
    for (String n : names) {
      if (!existing.contains(n)) {
        g.addOutput(OnnxGraph.floatValue(n));
      }
    }
    byte[] probe = model.toBuilder().setGraph(g).build().toByteArray();
    String inputName = model.getGraph().getInput(0).getName();
    Map<String, float[]> ranges = new LinkedHashMap<>();
    OrtEnvironment env = io.github.fran4j.onnx.runtime.OnnxGenerator.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      try (OrtSession session = env.createSession(probe, so)) {
        for (Tensor in : inputs) {
          FloatBuffer buf = ByteBuffer.allocateDirect(in.size() * 4).order(ByteOrder.nativeOrder())
              .asFloatBuffer();
          buf.put(in.floatBuffer()).rewind();
          int[] s = in.shape();
          try (OnnxTensor t = OnnxTensor.createTensor(env, buf, new long[] {s[0], s[1], s[2], s[3]});
              OrtSession.Result r = session.run(Map.of(inputName, t), names)) {
            for (Map.Entry<String, OnnxValue> e : r) {
              FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
              float[] mm = ranges.computeIfAbsent(e.getKey(),
                  k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
              while (fb.hasRemaining()) {
                float v = fb.get();
                mm[0] = Math.min(mm[0], v);
                mm[1] = Math.max(mm[1], v);
              }
            }
          }
        }
      }
    } catch (OrtException e) {
      throw new ModelFormatException("int8 calibration run failed: " + e.getMessage(), e);
    }
    return ranges;
  }

  private static OnnxMl.ModelProto rewrite(OnnxMl.ModelProto model,
      Map<String, TensorProto> inits, List<NodeProto> convs, Map<String, float[]> ranges,
      int calibrationCount) {
    OnnxMl.GraphProto src = model.getGraph();
    OnnxMl.GraphProto.Builder out = src.toBuilder().clearNode().clearInitializer();
    OnnxGraph g = new OnnxGraph(out);
    // Activation scale/zero-point and the names of their dequantized copies.
    Map<String, Float> scales = new HashMap<>();
    Map<String, String> dq = new HashMap<>();
    List<NodeProto> qdq = new ArrayList<>();
    for (Map.Entry<String, float[]> e : ranges.entrySet()) {
      float lo = Math.min(0f, e.getValue()[0]);
      float hi = Math.max(0f, e.getValue()[1]);
      float scale = hi > lo ? (hi - lo) / 255f : 1f;
      int zp = Math.max(0, Math.min(255, Math.round(-lo / scale)));
      String base = e.getKey();
      String sName = g.floats(base + ".act_scale", new float[] {scale});
      String zName = g.uint8s(base + ".act_zp", new byte[] {(byte) zp});
      String q = base + ".q";
      String d = base + ".dq";
      qdq.add(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(q).addInput(base)
          .addInput(sName).addInput(zName).addOutput(q).build());
      qdq.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(d).addInput(q)
          .addInput(sName).addInput(zName).addOutput(d).build());
      scales.put(base, scale);
      dq.put(base, d);
    }
    Set<String> replaced = new LinkedHashSet<>();
    Map<String, List<String>> convInputs = new HashMap<>();
    List<NodeProto> weightNodes = new ArrayList<>();
    for (NodeProto c : convs) {
      boolean transposed = c.getOpType().equals("ConvTranspose");
      TensorProto wt = inits.get(c.getInput(1));
      float[] w = floats(wt);
      int[] dims = dims(wt);
      int axis = transposed ? 1 : 0;
      int channels = dims[axis];
      float[] ws = new float[channels];
      int inner = dims[2] * dims[3];
      // Per-channel absolute maxima (element index -> channel depends on the axis).
      for (int i = 0; i < w.length; i++) {
        int ch = transposed ? (i / inner) % dims[1] : i / (dims[1] * inner);
        ws[ch] = Math.max(ws[ch], Math.abs(w[i]));
      }
      for (int ch = 0; ch < channels; ch++) {
        ws[ch] = ws[ch] > 0 ? ws[ch] / 127f : 1f;
      }
      byte[] q = new byte[w.length];
      for (int i = 0; i < w.length; i++) {
        int ch = transposed ? (i / inner) % dims[1] : i / (dims[1] * inner);
        q[i] = (byte) Math.max(-127, Math.min(127, Math.round(w[i] / ws[ch])));
      }
      String name = wt.getName();
      String wq = g.int8s(name + ".int8", q, longs(dims));
      String wsName = g.floats(name + ".w_scale", ws, channels);
      String wzName = g.int8s(name + ".w_zp", new byte[channels], channels);
      String wdq = name + ".dq";
      weightNodes.add(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(wdq)
          .addInput(wq).addInput(wsName).addInput(wzName).addOutput(wdq)
          .addAttribute(OnnxGraph.intAttr("axis", axis)).build());
      replaced.add(name);
      List<String> ins = new ArrayList<>(List.of(dq.get(c.getInput(0)), wdq));
      if (c.getInputCount() > 2 && inits.containsKey(c.getInput(2))) {
        TensorProto bt = inits.get(c.getInput(2));
        float[] b = floats(bt);
        float sx = scales.get(c.getInput(0));
        int[] bq = new int[b.length];
        float[] bs = new float[b.length];
        for (int ch = 0; ch < b.length; ch++) {
          bs[ch] = sx * ws[ch];
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
      convInputs.put(c.getOutput(0), ins);
    }
    for (TensorProto t : src.getInitializerList()) {
      if (!replaced.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addAllNode(weightNodes);
    Map<String, List<NodeProto>> qdqByTensor = new HashMap<>();
    for (int i = 0; i < qdq.size(); i += 2) {
      qdqByTensor.put(qdq.get(i).getInput(0), List.of(qdq.get(i), qdq.get(i + 1)));
    }
    for (OnnxMl.ValueInfoProto in : src.getInputList()) {
      if (qdqByTensor.containsKey(in.getName())) {
        out.addAllNode(qdqByTensor.get(in.getName()));
      }
    }
    for (NodeProto n : src.getNodeList()) {
      NodeProto.Builder nb = n.toBuilder();
      List<String> ins = convInputs.get(n.getOutput(0));
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
        if (qdqByTensor.containsKey(o)) {
          out.addAllNode(qdqByTensor.get(o));
        }
      }
    }
    OnnxMl.ModelProto.Builder m = model.toBuilder().setGraph(out).clearMetadataProps();
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      if (e.getKey().equals(OnnxModelFormat.PRECISION_KEY)) {
        m.addMetadataProps(e.toBuilder().setValue("int8-qdq"));
      } else {
        m.addMetadataProps(e);
      }
    }
    m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder()
        .setKey("fran.calibration_inputs").setValue(Integer.toString(calibrationCount)));
    return m.build();
  }

  /**
   * Returns the peak signal-to-noise ratio in dB between two tensors whose values live on a
   * [0, 1] scale (e.g. two deltas or two re-aged images), with peak 1.
   *
   * @param reference e.g. the fp32 output
   * @param test e.g. the int8 output
   * @return the PSNR, {@code +Infinity} for identical tensors
   */
  public static double psnr(Tensor reference, Tensor test) {
    checkArgument(java.util.Arrays.equals(reference.shape(), test.shape()),
        "shapes differ: %s vs %s", java.util.Arrays.toString(reference.shape()),
        java.util.Arrays.toString(test.shape()));
    float[] a = reference.toFloatArray();
    float[] b = test.toFloatArray();
    double se = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      se += d * d;
    }
    double mse = se / a.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(1.0 / mse);
  }

  private static float[] floats(TensorProto t) {
    checkArgument(t.getDataType() == TensorProto.DataType.FLOAT.getNumber(),
        "initializer %s is not float", t.getName());
    if (!t.getRawData().isEmpty()) {
      FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer();
      float[] v = new float[fb.remaining()];
      fb.get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  private static int[] dims(TensorProto t) {
    int[] d = new int[t.getDimsCount()];
    for (int i = 0; i < d.length; i++) {
      d[i] = (int) t.getDims(i);
    }
    return d;
  }

  private static long[] longs(int[] d) {
    long[] l = new long[d.length];
    for (int i = 0; i < d.length; i++) {
      l[i] = d[i];
    }
    return l;
  }
}
