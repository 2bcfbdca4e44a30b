package io.github.fran4j.core.spi;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.List;
import java.util.Locale;

/**
 * The keys of {@link BackendOptions.Builder#optOption}, the pass-through for backend settings
 * without a typed setter (as DJL's {@code Criteria.optOption}), and the checks every value passes
 * before a backend sees it. Keys are namespaced: {@code cuda.NAME} goes to ONNX Runtime's CUDA
 * execution provider as {@code NAME}, {@code tensorrt.NAME} to its TensorRT provider (needs
 * {@link BackendOptions.Builder#optTensorRt}), {@code session.NAME} to its session configuration.
 * Backends ignore the namespaces they do not have (the pure-Java backend ignores all).
 *
 * <p>The CUDA keys this class knows are checked here, so a bad value fails when the options are
 * built, before any CUDA call; unknown names within a namespace pass through to the backend, which
 * reports them when it opens the model. A final utility class; thread-safe.
 */
public final class BackendOptionKeys {
  /** Prefix of CUDA execution provider options. */
  public static final String CUDA = "cuda.";
  /** Prefix of TensorRT execution provider options. */
  public static final String TENSORRT = "tensorrt.";
  /** Prefix of ONNX Runtime session configuration entries. */
  public static final String SESSION = "session.";
  /** cuDNN convolution algorithm search: {@code EXHAUSTIVE}, {@code HEURISTIC} or {@code DEFAULT}. */
  public static final String CUDNN_CONV_ALGO_SEARCH = CUDA + "cudnn_conv_algo_search";
  /** {@code 1} lets cuDNN use as much workspace as its fastest (fp16 tensor-core) algorithms want. */
  public static final String CUDNN_CONV_USE_MAX_WORKSPACE = CUDA + "cudnn_conv_use_max_workspace";
  /** The CUDA memory arena's size limit in bytes. */
  public static final String GPU_MEM_LIMIT = CUDA + "gpu_mem_limit";
  /** How the CUDA arena grows: {@code kNextPowerOfTwo} or {@code kSameAsRequested}. */
  public static final String ARENA_EXTEND_STRATEGY = CUDA + "arena_extend_strategy";

  private static final List<String> ALGO_SEARCH = List.of("exhaustive", "heuristic", "default");
  private static final List<String> ARENA = List.of("kNextPowerOfTwo", "kSameAsRequested");

  private BackendOptionKeys() {}

  /**
   * Checks a key and value and returns the value in the form the backend wants.
   *
   * @param key a namespaced key, e.g. {@code cuda.cudnn_conv_algo_search}
   * @param value its value
   * @return the normalized value (e.g. {@code HEURISTIC} for {@code heuristic})
   * @throws IllegalArgumentException naming the key, the bad value and what is accepted
   */
  static String check(String key, String value) {
    checkArgument(key != null && !key.isBlank(), "backend option key is null or blank");
    checkArgument(key.startsWith(CUDA) || key.startsWith(TENSORRT) || key.startsWith(SESSION),
        "unknown backend option '%s': keys start with %s (CUDA execution provider), %s (TensorRT)"
            + " or %s (ONNX Runtime session configuration)", key, CUDA, TENSORRT, SESSION);
    checkArgument(key.indexOf('.') < key.length() - 1, "backend option key '%s' names no option",
        key);
    checkArgument(value != null && !value.isBlank(), "backend option '%s' has no value", key);
    String v = value.trim();
    switch (key) {
      case CUDA + "device_id":
        throw new IllegalArgumentException("set the CUDA device with optDevice(Device.cuda(N))"
            + " (CLI: --device cuda:N), not " + key);
      case CUDNN_CONV_ALGO_SEARCH:
        checkArgument(ALGO_SEARCH.contains(v.toLowerCase(Locale.ROOT)),
            "unknown cuDNN convolution algorithm search '%s', expected one of %s", value,
            ALGO_SEARCH);
        return v.toUpperCase(Locale.ROOT);
      case CUDNN_CONV_USE_MAX_WORKSPACE:
        checkArgument(v.equals("0") || v.equals("1"), "%s must be 0 or 1, got '%s'", key, value);
        return v;
      case GPU_MEM_LIMIT:
        long bytes;
        try {
          bytes = Long.parseLong(v);
        } catch (NumberFormatException e) {
          bytes = -1;
        }
        checkArgument(bytes > 0, "GPU memory limit (%s) must be a positive number of bytes, got"
            + " '%s'", key, value);
        return Long.toString(bytes);
      case ARENA_EXTEND_STRATEGY:
        checkArgument(ARENA.contains(v), "%s must be one of %s, got '%s'", key, ARENA, value);
        return v;
      default:
        return v;
    }
  }
}
