package io.github.fran4j.core;

/**
 * No registered inference backend accepts a model file. The message lists the backends found on
 * the class path and which artifact adds support for the file's format. Not a
 * {@link ModelFormatException}: the file may be fine, the class path lacks its backend.
 */
public class NoBackendException extends FranException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the file, the backends found and what to add
   */
  public NoBackendException(String message) {
    super(message);
  }
}
