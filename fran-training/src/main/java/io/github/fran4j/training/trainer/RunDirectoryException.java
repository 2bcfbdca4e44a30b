package io.github.fran4j.training.trainer;

import java.io.IOException;

/**
 * A run directory cannot be used: it is not writable, it already holds a run and {@code --resume}
 * was not given, there is nothing to resume, or its checkpoint was made with different settings.
 * The message says what to do.
 */
public class RunDirectoryException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong and how to fix it
   */
  public RunDirectoryException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message what is wrong and how to fix it
   * @param cause the underlying error
   */
  public RunDirectoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
