package io.github.fran4j.core.pipeline;

import io.github.fran4j.core.FranException;

/**
 * No face was found in an image while the pipeline's {@link NoFacePolicy} is
 * {@link NoFacePolicy#THROW}. The message says the image size, the detector and the minimum face
 * size, and how to change the policy. A {@link FranException} (it was an
 * {@link IllegalStateException} before 0.2).
 */
public class NoFaceException extends FranException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was searched and how to proceed
   */
  public NoFaceException(String message) {
    super(message);
  }
}
