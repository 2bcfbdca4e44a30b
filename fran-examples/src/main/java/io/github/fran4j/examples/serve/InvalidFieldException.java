package io.github.fran4j.examples.serve;

/**
 * A request field is missing or invalid; the server answers 400 with the field's name. The
 * message says what was wrong and what was expected.
 */
final class InvalidFieldException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  InvalidFieldException(String field, String message) {
    super(message);
    this.field = field;
  }

  InvalidFieldException(String field, String message, Throwable cause) {
    super(message, cause);
    this.field = field;
  }

  /** Returns the form field at fault, e.g. {@code input_age}. */
  String field() {
    return field;
  }
}
