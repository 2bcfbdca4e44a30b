package io.github.fran4j.core;

/**
 * The root of every failure the SDK itself reports: a model file that is not what was expected
 * ({@link ModelFormatException}), no backend for a file ({@link NoBackendException}), a device that
 * cannot be used ({@link DeviceUnavailableException}), an inference engine that failed
 * ({@link EngineException}), and the face pipeline's {@code NoFaceException}.
 *
 * <p>Unchecked, because the calls that fail this way are mostly unchecked already:
 * {@code ReAger.reage}, {@code sweep} and {@code Generator.predict} run the engine, and an engine
 * or device failure there must be the same type as at load time, so that a server catches
 * {@code FranException} once at its boundary. Plain I/O problems (a missing or unreadable file)
 * stay {@link java.io.IOException}s, which {@code ReAger.load} declares; caller mistakes (a null,
 * a negative age, a wrong tensor shape) stay {@link IllegalArgumentException}s, and use after
 * {@code close()} stays {@link IllegalStateException}.
 *
 * <p>Messages name the file or device, what was wrong and what was expected; the CLI prints them
 * as one line and maps each subtype to its own exit code (see docs/troubleshooting.md).
 */
public class FranException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed and what to do
   */
  public FranException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what failed and what to do
   * @param cause the underlying error, or null
   */
  public FranException(String message, Throwable cause) {
    super(message, cause);
  }
}
