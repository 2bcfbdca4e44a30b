package io.github.fran4j.core;

import java.io.IOException;

/**
 * A model or weights file could be read but its content is not what was expected: a truncated or
 * corrupt file, an unsupported format version, missing or misshaped tensors, and the like.
 *
 * <p>Messages name the file (where there is one), what was wrong and what was expected.
 */
public class ModelFormatException extends IOException {
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
