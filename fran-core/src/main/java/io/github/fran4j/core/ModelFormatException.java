package io.github.fran4j.core;

/**
 * A model or weights file could be read but its content is not what was expected: a truncated or
 * corrupt file, an unsupported format version, missing or misshaped tensors, and the like.
 *
 * <p>Messages name the file (where there is one), what was wrong and what was expected. Unchecked
 * like every {@link FranException} (it was an {@link java.io.IOException} before 0.2): methods
 * that read files still declare {@code IOException} for the file system's own failures.
 */
public class ModelFormatException extends FranException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was wrong and what was expected
   */
  public ModelFormatException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what was wrong and what was expected
   * @param cause the underlying error
   */
  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
