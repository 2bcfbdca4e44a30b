package io.github.fran4j.onnx.runtime;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import ai.onnxruntime.providers.OrtTensorRTProviderOptions;
import io.github.fran4j.core.spi.BackendOptionKeys;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.DeviceUnavailableException;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.util.EnumSet;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide ONNX Runtime environment and the CUDA decision for {@link Device#AUTO}.
 *
 * <p>The AUTO probe runs at most once per JVM (the first CUDA initialisation costs seconds) and its
 * result is logged once. Thread-safe.
 */
final class OrtDevices {
  private static final Logger LOG = LoggerFactory.getLogger(OrtDevices.class);
  private static final String GPU_HINT =
      "use the GPU build: depend on io.github.fran4j:fran-onnx-gpu (or build with "
          + "-Donnxruntime.artifact=onnxruntime_gpu) instead of the CPU jar, never both";

  private static volatile OrtEnvironment env;
  private static volatile String autoCudaFailure;
  private static volatile boolean probed;

  private OrtDevices() {}

  /** Returns the one environment of this JVM, created on first use (not at class load). */
  static OrtEnvironment environment() {
    OrtEnvironment e = env;
    if (e == null) {
      synchronized (OrtDevices.class) {
        if (env == null) {
          // FATAL: a failed CUDA probe would otherwise print errors that are handled here.
          env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "fran4j");
        }
        e = env;
      }
    }
    return e;
  }

  /**
   * Adds the session configuration entries ({@code session.*}) and the execution providers for
   * the requested device with their {@code cuda.*} and {@code tensorrt.*} options, and returns the
   * device actually used.
   *
   * @throws DeviceUnavailableException for an explicit CUDA device, or TensorRT, that cannot be
   *     enabled
   * @throws OrtException if ONNX Runtime rejects a session configuration entry
   */
  static Device configure(OrtSession.SessionOptions options, BackendOptions opts)
      throws DeviceUnavailableException, OrtException {
    for (Map.Entry<String, String> e : opts.options(BackendOptionKeys.SESSION).entrySet()) {
      options.addConfigEntry(e.getKey(), e.getValue());
    }
    Device device = opts.device();
    switch (device.kind()) {
      case CPU:
        return Device.CPU;
      case CUDA:
        String why = tensorRtProblem(opts);
        if (why == null) {
          why = cudaProblem(device.id());
        }
        if (why != null) {
          throw new DeviceUnavailableException(
              "CUDA device " + device + " was requested but cannot be used: " + why);
        }
        try {
          addProviders(options, device.id(), opts);
        } catch (OrtException e) {
          throw new DeviceUnavailableException("CUDA device " + device
              + " was requested but ONNX Runtime could not enable it with " + opts.options()
              + ": " + e.getMessage(), e);
        }
        return device;
      case AUTO:
      default:
        if (autoUsesCuda()) {
          String trt = tensorRtProblem(opts);
          if (trt != null) {
            throw new DeviceUnavailableException("TensorRT was requested but cannot be used: "
                + trt, null);
          }
          try {
            addProviders(options, 0, opts);
            return Device.cuda(0);
          } catch (OrtException e) {
            LOG.warn("CUDA worked in the probe but not now ({}); using the CPU", e.getMessage());
          }
        }
        return Device.CPU;
    }
  }

  /** TensorRT first (it hands what it cannot run to the next provider), then CUDA. */
  private static void addProviders(OrtSession.SessionOptions options, int id, BackendOptions opts)
      throws OrtException {
    if (opts.tensorRt()) {
      // ONNX Runtime copies provider options when they are added, so they can be freed here.
      try (OrtTensorRTProviderOptions trt = new OrtTensorRTProviderOptions(id)) {
        for (Map.Entry<String, String> e : opts.options(BackendOptionKeys.TENSORRT).entrySet()) {
          trt.add(e.getKey(), e.getValue());
        }
        options.addTensorrt(trt);
      }
    }
    try (OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(id)) {
      for (Map.Entry<String, String> e : opts.options(BackendOptionKeys.CUDA).entrySet()) {
        cuda.add(e.getKey(), e.getValue());
      }
      options.addCUDA(cuda);
    }
  }

  /** Returns null unless TensorRT was asked for and this build has no TensorRT provider. */
  private static String tensorRtProblem(BackendOptions opts) {
    EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
    if (!opts.tensorRt() || providers.contains(OrtProvider.TENSOR_RT)) {
      return null;
    }
    return "TensorRT was requested but this ONNX Runtime build has no TensorRT execution provider"
        + " (available: " + providers + "); use an ONNX Runtime GPU build with TensorRT and the"
        + " TensorRT libraries, or drop optTensorRt / --tensorrt";
  }

  /** Returns whether AUTO picks CUDA; probes once per JVM and logs the decision. */
  static boolean autoUsesCuda() {
    if (!probed) {
      synchronized (OrtDevices.class) {
        if (!probed) {
          autoCudaFailure = cudaProblem(0);
          probed = true;
          if (autoCudaFailure == null) {
            LOG.info("ONNX Runtime device AUTO: using CUDA device cuda:0");
          } else {
            // The CPU is the expected outcome on most machines: not worth a line unless asked for.
            LOG.debug("ONNX Runtime device AUTO: using the CPU ({})", autoCudaFailure);
          }
        }
      }
    }
    return autoCudaFailure == null;
  }

  /** Returns null when CUDA device {@code id} works, else why not. Costs seconds on a GPU build. */
  private static String cudaProblem(int id) {
    EnumSet<OrtProvider> providers = OrtEnvironment.getAvailableProviders();
    if (!providers.contains(OrtProvider.CUDA)) {
      return "this ONNX Runtime build has no CUDA execution provider (available: " + providers
          + "); " + GPU_HINT;
    }
    // getAvailableProviders() only says how the jar was built; a tiny session proves the GPU.
    OrtEnvironment e = environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.addCUDA(id);
      try (OrtSession s = e.createSession(identityModel(), so)) {
        return null;
      }
    } catch (OrtException | RuntimeException ex) {
      return "ONNX Runtime could not start CUDA device " + id + " (" + ex.getMessage()
          + "); it needs an NVIDIA GPU with its driver, CUDA 12 and cuDNN 9 libraries on the "
          + "library path";
    }
  }

  private static byte[] identityModel() {
    OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder()
        .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber()))
        .build();
    OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder()
        .setName("probe")
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("x").addOutput("y"))
        .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("x").setType(type))
        .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(type))
        .build();
    return OnnxMl.ModelProto.newBuilder()
        .setIrVersion(OnnxModelFormat.IR_VERSION)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(OnnxModelFormat.OPSET))
        .setGraph(graph)
        .build()
        .toByteArray();
  }
}
