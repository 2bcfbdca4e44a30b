package io.github.fran4j.core.pipeline;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * "The whole image is the face": one face covering the image, for pre-aligned data. Stateless and
 * thread-safe.
 */
public final class FullImageDetector implements FaceDetector {
  /** The shared instance. */
  public static final FullImageDetector INSTANCE = new FullImageDetector();

  private FullImageDetector() {}

  /** Returns one face whose box is the whole image, score 1, no landmarks. */
  @Override
  public List<Face> detect(BufferedImage image) {
    return List.of(Face.of(0, 0, image.getWidth(), image.getHeight(), 1.0));
  }

  @Override
  public String toString() {
    return "FullImageDetector";
  }
}
