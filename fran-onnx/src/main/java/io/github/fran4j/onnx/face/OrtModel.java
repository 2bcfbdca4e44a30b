package io.github.fran4j.onnx.face;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.spi.CloseGuard;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A small CPU ONNX Runtime session for the face models: one float32 input, float32 outputs read
 * by name. Thread-safe ({@code OrtSession.run} is); {@link #close()} waits for runs in flight
 * (see {@link CloseGuard}), is idempotent, and later runs throw {@link IllegalStateException}.
 */
final class OrtModel implements AutoCloseable {
  private final Path file;
  private final OrtSession session;
  private final String inputName;
  private final long[] inputShape;
  private final CloseGuard guard;

  private OrtModel(Path file, OrtSession session, String inputName, long[] inputShape) {
    this.file = file;
    this.session = session;
    this.inputName = inputName;
    this.inputShape = inputShape;
    this.guard = new CloseGuard("face model " + file);
  }

  /** Opens a model file on the CPU with the given intra-op threads (0: ORT's default). */
  static OrtModel open(Path file, int threads) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new java.nio.file.NoSuchFileException(file.toString(), null, "face model file not found");
    }
    try {
      OrtEnvironment env = OnnxGenerator.environment();
      try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
        if (threads > 0) {
          opts.setIntraOpNumThreads(threads);
        }
        OrtSession s = env.createSession(file.toString(), opts);
        if (s.getInputInfo().size() != 1) {
          String names = s.getInputNames().toString();
          s.close();
          throw new ModelFormatException(file + ": expected a model with one input, got " + names);
        }
        Map.Entry<String, NodeInfo> in = s.getInputInfo().entrySet().iterator().next();
        long[] shape = in.getValue().getInfo() instanceof TensorInfo
            ? ((TensorInfo) in.getValue().getInfo()).getShape() : new long[0];
        return new OrtModel(file, s, in.getKey(), shape);
      }
    } catch (OrtException e) {
      throw new ModelFormatException(file + ": ONNX Runtime cannot load it: " + e.getMessage(), e);
    }
  }

  /** Returns the declared input shape (-1 for dynamic axes). */
  long[] inputShape() {
    return inputShape.clone();
  }

  /** Returns the output names. */
  java.util.Set<String> outputNames() {
    return session.getOutputNames();
  }

  /** Returns the declared shape of every tensor output by name (-1 for dynamic axes). */
  Map<String, long[]> outputShapes() {
    try {
      Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
      for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
        shapes.put(e.getKey(), e.getValue().getInfo() instanceof TensorInfo
            ? ((TensorInfo) e.getValue().getInfo()).getShape() : new long[0]);
      }
      return shapes;
    } catch (OrtException e) {
      throw new ModelFormatException(file + ": cannot read its outputs: " + e.getMessage(), e);
    }
  }

  /** Returns the model file. */
  Path file() {
    return file;
  }

  /**
   * Runs the model and returns every output as a flat float array, keyed by name.
   *
   * @param data the input values, row-major
   * @param shape the input shape
   */
  Map<String, float[]> run(float[] data, long... shape) {
    FloatBuffer buf = ByteBuffer.allocateDirect(data.length * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
    buf.put(data).rewind();
    OrtEnvironment env = OnnxGenerator.environment();
    try (CloseGuard.Call c = guard.enter("run");
        OnnxTensor t = OnnxTensor.createTensor(env, buf, shape);
        OrtSession.Result r = session.run(Map.of(inputName, t))) {
      Map<String, float[]> out = new HashMap<>();
      for (Map.Entry<String, OnnxValue> e : r) {
        FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        out.put(e.getKey(), v);
      }
      return out;
    } catch (OrtException e) {
      throw new IllegalStateException("face model " + file + " failed on input shape "
          + java.util.Arrays.toString(shape) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    guard.close(() -> {
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException("closing " + file + " failed: " + e.getMessage(), e);
      }
    });
  }
}
