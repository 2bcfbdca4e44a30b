package io.github.fran4j.onnx.export;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Observes activation ranges by running the fp32 graph in ONNX Runtime with the activations
 * exposed as extra outputs. A final utility class; thread-safe (no state).
 */
final class ActivationRanges {
  private ActivationRanges() {}

  /** Values kept per tensor and input for the percentile (a strided sample). */
  private static final int SAMPLES_PER_RUN = 50_000;

  /**
   * Returns {min, max} per activation over all inputs, or the central {@code percentile} % of a
   * sample of the values when it is below 100.
   */
  static Map<String, float[]> observe(OnnxMl.ModelProto model, Collection<String> names,
      List<Tensor> inputs, double percentile) throws ModelFormatException {
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
    Set<String> wanted = new LinkedHashSet<>(names);
    Map<String, float[]> ranges = new LinkedHashMap<>();
    Map<String, float[]> samples = new HashMap<>();
    Map<String, Integer> sampleCounts = new HashMap<>();
    OrtEnvironment env = OnnxGenerator.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      try (OrtSession session = env.createSession(probe, so)) {
        for (Tensor in : inputs) {
          try (OnnxTensor t = ortTensor(env, in);
              OrtSession.Result r = session.run(Map.of(inputName, t), wanted)) {
            for (Map.Entry<String, OnnxValue> e : r) {
              FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
              float[] mm = ranges.computeIfAbsent(e.getKey(),
                  k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
              int n = fb.remaining();
              int stride = Math.max(1, n / SAMPLES_PER_RUN);
              float[] sample = percentile < 100
                  ? samples.computeIfAbsent(e.getKey(), k -> new float[0]) : null;
              int count = sampleCounts.getOrDefault(e.getKey(), 0);
              if (sample != null) {
                sample = Arrays.copyOf(sample, count + (n + stride - 1) / stride);
              }
              for (int i = 0; i < n; i++) {
                float v = fb.get(i);
                mm[0] = Math.min(mm[0], v);
                mm[1] = Math.max(mm[1], v);
                if (sample != null && i % stride == 0) {
                  sample[count++] = v;
                }
              }
              if (sample != null) {
                samples.put(e.getKey(), sample);
                sampleCounts.put(e.getKey(), count);
              }
            }
          }
        }
      }
    } catch (OrtException e) {
      throw new ModelFormatException("calibration run failed: " + e.getMessage(), e);
    }
    if (percentile < 100) {
      for (Map.Entry<String, float[]> e : ranges.entrySet()) {
        float[] v = Arrays.copyOf(samples.get(e.getKey()), sampleCounts.get(e.getKey()));
        Arrays.sort(v);
        int lo = (int) Math.floor((1 - percentile / 100) * (v.length - 1));
        int hi = (int) Math.ceil(percentile / 100 * (v.length - 1));
        e.getValue()[0] = v[lo];
        e.getValue()[1] = v[hi];
      }
    }
    return ranges;
  }

  /** A native-order direct copy of a tensor, as ONNX Runtime wants it. */
  private static OnnxTensor ortTensor(OrtEnvironment env, Tensor in) throws OrtException {
    FloatBuffer buf = ByteBuffer.allocateDirect(in.size() * 4).order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    buf.put(in.floatBuffer()).rewind();
    int[] s = in.shape();
    long[] shape = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      shape[i] = s[i];
    }
    return OnnxTensor.createTensor(env, buf, shape);
  }
}
