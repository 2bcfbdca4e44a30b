package io.github.fran4j.core.pipeline;

import java.io.IOException;

/**
 * An image file that cannot be read as a photo: an unknown format, a colour space the JDK's
 * decoders do not handle (CMYK JPEG), or a size over the pixel limit. The message names the file,
 * the problem and a fix.
 */
public class UnsupportedImageException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the file, what is wrong and how to fix it
   */
  public UnsupportedImageException(String message) {
    super(message);
  }

  /**
   * Creates the exception with a cause.
   *
   * @param message the file, what is wrong and how to fix it
   * @param cause the decoder's error
   */
  public UnsupportedImageException(String message, Throwable cause) {
    super(message, cause);
  }
}
