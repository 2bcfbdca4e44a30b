package io.github.fran4j.core;

/**
 * A device that was asked for explicitly (for example {@code cuda:0}) cannot be used. Every
 * backend throws this type: the pure-Java backend for any CUDA device, ONNX Runtime for a
 * CPU-only jar, missing CUDA libraries or no such GPU. The message names the device, says why
 * and what to change. {@code Device.AUTO} never fails this way: it falls back to the CPU.
 */
public class DeviceUnavailableException extends FranException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the device, the reason and the remedy
   */
  public DeviceUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the device, the reason and the remedy
   * @param cause the engine's error, or null
   */
  public DeviceUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
