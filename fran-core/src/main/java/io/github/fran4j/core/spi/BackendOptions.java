package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Options handed to a {@link BackendProvider} when it opens a model. Immutable; build with
 * {@link #builder()}. Backends ignore settings that do not apply to them.
 */
public final class BackendOptions {
  private final Device device;
  private final int threads;
  private final String optimization;
  private final ImmutableMap<String, String> options;
  private final boolean tensorRt;

  private BackendOptions(Builder b) {
    this.device = b.device;
    this.threads = b.threads;
    this.optimization = b.optimization;
    this.options = ImmutableMap.copyOf(b.options);
    this.tensorRt = b.tensorRt;
  }

  /** {@return the defaults: {@link Device#AUTO}, backend-chosen threads and optimization} */
  public static BackendOptions defaults() {
    return builder().build();
  }

  /** {@return a new builder} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return a builder holding these options} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.device = device;
    b.threads = threads;
    b.optimization = optimization;
    b.options.putAll(options);
    b.tensorRt = tensorRt;
    return b;
  }

  /** {@return the requested device} */
  public Device device() {
    return device;
  }

  /** {@return the requested number of intra-op threads, 0 for the backend's default} */
  public int threads() {
    return threads;
  }

  /** {@return the requested graph optimization level (backend-specific, e.g. {@code all})} */
  public Optional<String> optimization() {
    return Optional.ofNullable(optimization);
  }

  /**
   * Returns the namespaced backend options ({@link BackendOptionKeys}), checked and normalized, in
   * the order they were set.
   *
   * @return the options; empty by default
   */
  public ImmutableMap<String, String> options() {
    return options;
  }

  /**
   * Returns the options of one namespace with the prefix removed, e.g. {@code cuda.} gives
   * {@code gpu_mem_limit -> 1073741824}.
   *
   * @param prefix a {@link BackendOptionKeys} prefix
   * @return the options in that namespace
   */
  public ImmutableMap<String, String> options(String prefix) {
    ImmutableMap.Builder<String, String> b = ImmutableMap.builder();
    options.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        b.put(k.substring(prefix.length()), v);
      }
    });
    return b.build();
  }

  /** {@return whether the TensorRT execution provider was asked for (ahead of CUDA)} */
  public boolean tensorRt() {
    return tensorRt;
  }

  /** Returns a readable summary. */
  @Override
  public String toString() {
    return "BackendOptions{device=" + device + ", threads=" + threads + ", optimization="
        + optimization + (options.isEmpty() ? "" : ", options=" + options)
        + (tensorRt ? ", tensorRt" : "") + "}";
  }

  /** Builds {@link BackendOptions}; not thread-safe. */
  public static final class Builder {
    private Device device = Device.AUTO;
    private int threads;
    private String optimization;
    private final Map<String, String> options = new LinkedHashMap<>();
    private boolean tensorRt;

    private Builder() {}

    /**
     * Sets the device (default {@link Device#AUTO}).
     *
     * @param v the device
     * @return this builder
     */
    public Builder optDevice(Device v) {
      device = checkNotNull(v, "device");
      return this;
    }

    /**
     * Sets the intra-op thread count (default 0: the backend's choice).
     *
     * @param v 0 or more
     * @return this builder
     */
    public Builder optThreads(int v) {
      checkArgument(v >= 0, "threads must be >= 0, got %s", v);
      threads = v;
      return this;
    }

    /**
     * Sets the graph optimization level, e.g. {@code basic}, {@code extended} or {@code all}.
     *
     * @param v the level name
     * @return this builder
     */
    public Builder optOptimization(String v) {
      optimization = checkNotNull(v, "optimization");
      return this;
    }

    /**
     * Sets a backend option without a typed setter, e.g. {@code cuda.arena_extend_strategy} or
     * {@code session.intra_op.allow_spinning}; see {@link BackendOptionKeys} for the namespaces.
     *
     * @param key a namespaced key
     * @param value its value
     * @return this builder
     * @throws IllegalArgumentException for an unknown namespace or a bad value of a known key
     */
    public Builder optOption(String key, String value) {
      options.put(key, BackendOptionKeys.check(key, value));
      return this;
    }

    /**
     * Sets how cuDNN picks convolution algorithms (default {@code exhaustive}: benchmark all on
     * the first run of each shape, fastest afterwards; {@code heuristic} starts faster).
     *
     * @param v {@code exhaustive}, {@code heuristic} or {@code default} (case-insensitive)
     * @return this builder
     */
    public Builder optCudnnConvAlgoSearch(String v) {
      return optOption(BackendOptionKeys.CUDNN_CONV_ALGO_SEARCH, v);
    }

    /**
     * Lets cuDNN use as much workspace memory as its fastest convolution algorithms want, which
     * the fp16 tensor-core ones need.
     *
     * @param v whether to allow the maximum workspace
     * @return this builder
     */
    public Builder optCudaMaxWorkspace(boolean v) {
      return optOption(BackendOptionKeys.CUDNN_CONV_USE_MAX_WORKSPACE, v ? "1" : "0");
    }

    /**
     * Limits the CUDA memory arena.
     *
     * @param bytes a positive number of bytes
     * @return this builder
     */
    public Builder optGpuMemoryLimit(long bytes) {
      checkArgument(bytes > 0, "GPU memory limit must be a positive number of bytes, got %s",
          bytes);
      return optOption(BackendOptionKeys.GPU_MEM_LIMIT, Long.toString(bytes));
    }

    /**
     * Asks for ONNX Runtime's TensorRT execution provider ahead of CUDA (nodes TensorRT cannot
     * run fall back to CUDA). Needs a CUDA device and an ONNX Runtime build with TensorRT; opening
     * a model fails with a clear error otherwise.
     *
     * @param v whether to use TensorRT
     * @return this builder
     */
    public Builder optTensorRt(boolean v) {
      tensorRt = v;
      return this;
    }

    /**
     * Returns the options.
     *
     * @return the options
     * @throws IllegalArgumentException if GPU options are set for the CPU device, or TensorRT
     *     options without TensorRT
     */
    public BackendOptions build() {
      if (device.kind() == Device.Kind.CPU) {
        List<String> gpu = new ArrayList<>();
        options.keySet().stream()
            .filter(k -> k.startsWith(BackendOptionKeys.CUDA) || k.startsWith(BackendOptionKeys.TENSORRT))
            .forEach(gpu::add);
        checkArgument(gpu.isEmpty(), "GPU options %s need a CUDA device (or auto), but the device"
            + " is cpu", gpu);
        checkArgument(!tensorRt, "TensorRT needs a CUDA device (or auto), but the device is cpu");
      }
      if (!tensorRt) {
        options.keySet().stream().filter(k -> k.startsWith(BackendOptionKeys.TENSORRT)).findFirst()
            .ifPresent(k -> {
              throw new IllegalArgumentException(k + " is set but TensorRT is not enabled"
                  + " (optTensorRt(true))");
            });
      }
      return new BackendOptions(this);
    }
  }
}
