package io.github.fran4j.core;

/**
 * An inference engine (ONNX Runtime, PyTorch through DJL, the pure-Java forward pass) failed on an
 * input the SDK accepted: out of memory, a kernel error, a model that cannot run at that size, a
 * result of the wrong shape. Not a caller mistake, so not an {@link IllegalArgumentException}; the
 * message names the backend, the input shape and the engine's own message, which is kept as the
 * cause.
 */
public class EngineException extends FranException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the backend, the input and what failed
   */
  public EngineException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the backend, the input and what failed
   * @param cause the engine's error
   */
  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
