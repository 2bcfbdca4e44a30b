package io.github.fran4j.core.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Finds faces in an image. Implementations document their own thread-safety; those in this
 * project are safe to call from several threads. {@link #close()} releases native resources and is
 * idempotent; the default does nothing.
 */
public interface FaceDetector extends AutoCloseable {

  /**
   * Detects faces.
   *
   * @param image an RGB(A) or grey image in its display orientation
   * @return the faces found, most confident first; empty (never null) when there are none
   */
  List<Face> detect(BufferedImage image);

  /** Releases resources. Idempotent. */
  @Override
  default void close() {}
}
