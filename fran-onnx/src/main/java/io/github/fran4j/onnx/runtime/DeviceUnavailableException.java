package io.github.fran4j.onnx.runtime;

import java.io.IOException;

/**
 * A device that was asked for explicitly (for example {@code cuda:0}) cannot be used. The message
 * says why (CPU-only ONNX Runtime jar, missing CUDA libraries, no such GPU) and what to change.
 */
public class DeviceUnavailableException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the device, the reason and the remedy
   * @param cause the ONNX Runtime error, or null
   */
  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
