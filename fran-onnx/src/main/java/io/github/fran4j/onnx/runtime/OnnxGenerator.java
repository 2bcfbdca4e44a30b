package io.github.fran4j.onnx.runtime;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.EngineException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.CloseGuard;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link Generator} backed by an ONNX Runtime session.
 *
 * <p>Works with the files {@code OnnxExporter} writes and with
 * foreign models (e.g. from {@code torch.onnx.export}): the input and output names and shapes are
 * read from the model; it must have one float32 input of rank 4 with the config's input channel
 * count (5 by default) and an output of rank 4 with the output channel count (3). Metadata from
 * {@link OnnxModelFormat}, when present, supplies the architecture and training resolution.
 *
 * <p>Thread-safe: {@link #predict} may be called from many threads at once (ONNX Runtime sessions
 * allow concurrent runs); {@link #close()} waits for running calls, is idempotent, and later calls
 * to {@link #predict} throw {@link IllegalStateException}. Inputs are handed to ONNX Runtime in
 * native-order direct buffers.
 */
public final class OnnxGenerator implements Generator {
  private final OrtSession session;
  private final OrtSession.SessionOptions options;
  private final String inputName;
  private final String outputName;
  private final long[] inputShape;
  private final int inChannels;
  private final int outChannels;
  private final UNetConfig config;
  private final int resolution;
  private final String description;
  private final CloseGuard guard;

  private OnnxGenerator(OrtSession session, OrtSession.SessionOptions options, String source,
      Device device) throws ModelFormatException {
    this.session = session;
    this.options = options;
    String precision;
    try {
      Map<String, String> meta = session.getMetadata().getCustomMetadata();
      String version = meta.get(OnnxModelFormat.FORMAT_VERSION_KEY);
      if (version != null && !version.trim().equals(
          Integer.toString(OnnxModelFormat.FORMAT_VERSION))) {
        throw new ModelFormatException("unsupported FRAN ONNX format version '" + version
            + "' in " + source + ", expected " + OnnxModelFormat.FORMAT_VERSION
            + " (was it written by a newer FRAN for Java?)");
      }
      String scale = meta.get(OnnxModelFormat.AGE_SCALE_KEY);
      if (scale != null && !scale.trim().equals(Integer.toString(OnnxModelFormat.AGE_SCALE))) {
        // The age planes would be fed on another scale than the model learned: silent garbage.
        throw new ModelFormatException("metadata " + OnnxModelFormat.AGE_SCALE_KEY + " in "
            + source + " is '" + scale + "': the model expects ages as age / " + scale.trim()
            + ", but this SDK feeds age / " + OnnxModelFormat.AGE_SCALE);
      }
      String p = meta.get(OnnxModelFormat.PRECISION_KEY);
      String floats = meta.get(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY);
      // An int8 model says so, and how much of it stays float, in describe().
      precision = p == null || p.equals("fp32") ? ""
          : p + (floats == null ? "" : " with " + floats.split(",").length + " float activations")
              + ", ";
      String json = meta.get(OnnxModelFormat.UNET_CONFIG_KEY);
      this.config = json == null ? null : UNetConfig.fromJson(json, source);
      this.inChannels = config == null ? 5 : config.inChannels();
      this.outChannels = config == null ? 3 : config.outChannels();

      Map<String, NodeInfo> inputs = session.getInputInfo();
      if (inputs.size() != 1) {
        throw new ModelFormatException(source + " has " + inputs.size() + " inputs "
            + inputs.keySet() + ", expected one float32 input [N, " + inChannels + ", H, W]");
      }
      NodeInfo in = inputs.values().iterator().next();
      this.inputName = in.getName();
      this.inputShape = checkTensor(source, "input", in, inChannels);
      Map<String, NodeInfo> outputs = session.getOutputInfo();
      NodeInfo out = outputs.get(OnnxModelFormat.OUTPUT_NAME);
      if (out == null) {
        if (outputs.size() != 1) {
          throw new ModelFormatException(source + " has " + outputs.size() + " outputs "
              + outputs.keySet() + " and none is named '" + OnnxModelFormat.OUTPUT_NAME
              + "', expected one float32 output [N, " + outChannels + ", H, W]");
        }
        out = outputs.values().iterator().next();
      }
      this.outputName = out.getName();
      checkTensor(source, "output", out, outChannels);

      String res = meta.get(OnnxModelFormat.TRAINING_RESOLUTION_KEY);
      if (res != null) {
        try {
          this.resolution = Integer.parseInt(res.trim());
        } catch (NumberFormatException e) {
          throw new ModelFormatException("metadata " + OnnxModelFormat.TRAINING_RESOLUTION_KEY
              + " in " + source + " is '" + res + "', expected a positive integer", e);
        }
      } else if (config != null) {
        this.resolution = config.trainingResolution();
      } else if (inputShape[2] > 0) {
        this.resolution = (int) inputShape[2];
      } else {
        this.resolution = UNetConfig.reference().trainingResolution();
      }
    } catch (OrtException e) {
      throw new ModelFormatException("cannot read the inputs, outputs or metadata of " + source
          + ": " + e.getMessage(), e);
    }
    this.description = "onnxruntime (" + device + ", " + precision + source + ")";
    this.guard = new CloseGuard("OnnxGenerator (" + description + ")");
  }

  private static long[] checkTensor(String source, String role, NodeInfo node, int channels)
      throws ModelFormatException {
    if (!(node.getInfo() instanceof TensorInfo)) {
      throw new ModelFormatException(source + " " + role + " '" + node.getName() + "' is "
          + node.getInfo() + ", expected a float32 tensor [N, " + channels + ", H, W]");
    }
    TensorInfo t = (TensorInfo) node.getInfo();
    long[] shape = t.getShape();
    if (t.type != OnnxJavaType.FLOAT || shape.length != 4 || (shape[1] >= 0 && shape[1] != channels)) {
      throw new ModelFormatException(source + " " + role + " '" + node.getName() + "' is "
          + t.type.toString().toLowerCase(Locale.ROOT) + " " + Arrays.toString(shape)
          + " (rank " + shape.length + ", " + (shape.length > 1 ? shape[1] : "no") + " channels)"
          + ", expected float [N, " + channels + ", H, W] (rank 4, " + channels + " channels"
          + (role.equals("input") ? ": RGB, input age / 100, target age / 100)" : ": RGB delta)"));
    }
    return shape;
  }

  /**
   * Opens an ONNX file.
   *
   * @param file the {@code .onnx} file
   * @param options device, threads, optimization level ({@code none}, {@code basic},
   *     {@code extended} or {@code all}; default {@code all}, which int8 models need to be fast),
   *     CUDA and TensorRT provider options and session entries ({@code BackendOptions.options()})
   * @return the generator; the caller closes it
   * @throws ModelFormatException if the file is not an ONNX model (truncated, corrupt, not ONNX) or
   *     does not fit the input/output contract, saying what was found and expected
   * @throws DeviceUnavailableException if an explicitly requested CUDA device cannot be used
   * @throws EngineException if ONNX Runtime cannot be configured
   * @throws IOException if the file cannot be read
   */
  public static OnnxGenerator open(Path file, BackendOptions options) throws IOException {
    checkNotNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new java.io.FileNotFoundException("no ONNX model file at " + file.toAbsolutePath());
    }
    return create(file.toString(), null, file.toString(), options);
  }

  /**
   * Opens an ONNX model held in memory, e.g. one just exported from a checkpoint.
   *
   * @param model the serialized model
   * @param source a name for messages and {@link #describe()}, e.g. the checkpoint's path
   * @param options device, threads and optimization level
   * @return the generator; the caller closes it
   * @throws ModelFormatException if the bytes are not an ONNX model or break the contract
   * @throws DeviceUnavailableException if an explicitly requested CUDA device cannot be used
   * @throws IOException if ONNX Runtime cannot read the model
   */
  public static OnnxGenerator open(byte[] model, String source, BackendOptions options)
      throws IOException {
    checkNotNull(model, "model");
    return create(null, model, checkNotNull(source, "source"), options);
  }

  private static OnnxGenerator create(String path, byte[] bytes, String source,
      BackendOptions opts) throws IOException {
    checkNotNull(opts, "options");
    OrtEnvironment env = OrtDevices.environment();
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    OrtSession session = null;
    boolean ok = false;
    try {
      so.setOptimizationLevel(optLevel(opts.optimization().orElse("all")));
      if (opts.threads() > 0) {
        so.setIntraOpNumThreads(opts.threads());
      }
      so.setInterOpNumThreads(1);
      Device device = OrtDevices.configure(so, opts);
      try {
        session = path != null ? env.createSession(path, so) : env.createSession(bytes, so);
      } catch (OrtException e) {
        throw new ModelFormatException("not a valid ONNX model: " + source
            + " (truncated, corrupt or not ONNX?): " + e.getMessage(), e);
      }
      OnnxGenerator g = new OnnxGenerator(session, so, source, device);
      ok = true;
      return g;
    } catch (OrtException e) {
      throw new EngineException("cannot configure ONNX Runtime for " + source + ": "
          + e.getMessage(), e);
    } finally {
      if (!ok) {
        // The generator owns session and options once built; before that they are ours to free.
        if (session != null) {
          closeQuietly(session);
        }
        so.close();
      }
    }
  }

  private static void closeQuietly(OrtSession s) {
    try {
      s.close();
    } catch (OrtException e) {
      // Nothing useful to do: we are already reporting the original failure.
    }
  }

  /**
   * Parses an optimization level name.
   *
   * @param name {@code none}, {@code basic}, {@code extended} or {@code all} (case-insensitive)
   * @return the ONNX Runtime level
   * @throws IllegalArgumentException naming the accepted values
   */
  static OrtSession.SessionOptions.OptLevel optLevel(String name) {
    switch (name.trim().toLowerCase(Locale.ROOT)) {
      case "none":
      case "disable":
        return OrtSession.SessionOptions.OptLevel.NO_OPT;
      case "basic":
        return OrtSession.SessionOptions.OptLevel.BASIC_OPT;
      case "extended":
        return OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
      case "all":
        return OrtSession.SessionOptions.OptLevel.ALL_OPT;
      default:
        throw new IllegalArgumentException("unknown optimization level '" + name
            + "', expected one of [none, basic, extended, all]");
    }
  }

  @Override
  public Tensor predict(Tensor input) {
    checkNotNull(input, "input");
    int[] s = input.shape();
    checkArgument(s.length == 4 && s[1] == inChannels,
        "input has shape %s, expected [N, %s, H, W] (RGB, input age / 100, target age / 100)",
        Arrays.toString(s), inChannels);
    for (int axis = 0; axis < 4; axis++) {
      checkArgument(inputShape[axis] < 0 || inputShape[axis] == s[axis],
          "input has shape %s but model input '%s' is fixed at %s", Arrays.toString(s), inputName,
          Arrays.toString(inputShape));
    }
    checkArgument(input.dtype().isFloating(), "input dtype is %s, expected a float type",
        input.dtype());
    try (CloseGuard.Call c = guard.enter("predict")) {
      return run(input, s);
    }
  }

  private Tensor run(Tensor input, int[] s) {
    FloatBuffer buf = ByteBuffer.allocateDirect(input.size() * Float.BYTES)
        .order(ByteOrder.nativeOrder())
        .asFloatBuffer();
    buf.put(input.floatBuffer());
    buf.rewind();
    long[] shape = {s[0], s[1], s[2], s[3]};
    OrtEnvironment env = OrtDevices.environment();
    try (OnnxTensor t = OnnxTensor.createTensor(env, buf, shape);
        OrtSession.Result r = session.run(Map.of(inputName, t), Set.of(outputName))) {
      OnnxValue v = r.get(0);
      if (!(v instanceof OnnxTensor)) {
        throw new EngineException("model output '" + outputName + "' is not a tensor ("
            + description + ")");
      }
      OnnxTensor o = (OnnxTensor) v;
      long[] os = o.getInfo().getShape();
      if (os.length != 4 || os[1] != outChannels) {
        throw new EngineException("model output '" + outputName + "' has shape "
            + Arrays.toString(os) + ", expected [N, " + outChannels + ", H, W] (" + description
            + ")");
      }
      FloatBuffer ob = o.getFloatBuffer();
      float[] out = new float[ob.remaining()];
      ob.get(out);
      return Tensor.wrap(out, (int) os[0], (int) os[1], (int) os[2], (int) os[3]);
    } catch (OrtException e) {
      throw new EngineException("ONNX Runtime failed on input " + Arrays.toString(s)
          + " (" + description + "): " + e.getMessage()
          + (config == null ? "; foreign models may need H and W to be multiples of 16" : ""), e);
    }
  }

  /**
   * Returns the one ONNX Runtime environment this library uses (created on first use, with FATAL
   * native logging because every error reaches the caller as an exception). Code that runs its own
   * ONNX Runtime sessions next to FRAN's should use this environment: ONNX Runtime allows one per
   * JVM and ignores the settings of later requests.
   *
   * @return the shared environment
   */
  public static OrtEnvironment environment() {
    return OrtDevices.environment();
  }

  /**
   * Adds the execution provider for a device to session options, exactly as FRAN's own sessions
   * get it (CUDA for a CUDA device, the probed choice for {@link Device#AUTO}, nothing for the
   * CPU). For code that runs its own ONNX Runtime sessions next to FRAN's, e.g. a benchmark's
   * reference kernel.
   *
   * @param options session options the caller owns
   * @param backend the requested device and its execution-provider options
   * @return the device actually used
   * @throws DeviceUnavailableException if an explicitly requested CUDA device cannot be used
   * @throws EngineException if ONNX Runtime rejects a session configuration entry
   */
  public static Device configureDevice(OrtSession.SessionOptions options, BackendOptions backend) {
    checkNotNull(options, "options");
    checkNotNull(backend, "backend");
    try {
      return OrtDevices.configure(options, backend);
    } catch (OrtException e) {
      throw new EngineException("cannot configure ONNX Runtime with " + backend.options() + ": "
          + e.getMessage(), e);
    }
  }

  /** {@return the input tensor's name as the model states it} */
  public String inputName() {
    return inputName;
  }

  /** {@return the output tensor's name as the model states it} */
  public String outputName() {
    return outputName;
  }

  @Override
  public Optional<UNetConfig> config() {
    return Optional.ofNullable(config);
  }

  /**
   * Returns 1 for FRAN's own reference-family models, whose graphs pad up-sampled maps to their
   * skip's size so that any size works; the configuration's multiple for community-family models,
   * which cannot pad; 1 for foreign models, which say nothing about it (ONNX Runtime then reports
   * a size it cannot handle as an {@link EngineException} from {@link #predict}). Callers pad to
   * the model's own multiple anyway (see {@code DeltaRunner}), so every backend sees the same
   * padded input.
   */
  @Override
  public int sizeMultiple() {
    return config != null && config.family() == UNetFamily.COMMUNITY ? config.sizeMultiple() : 1;
  }

  @Override
  public int resolution() {
    return resolution;
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    guard.close(() -> {
      closeQuietly(session);
      options.close();
    });
  }
}
