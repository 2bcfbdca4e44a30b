package io.github.fran4j.core.pipeline;

/** What {@link FacePipeline} does when the detector finds no face (of at least the minimum size). */
public enum NoFacePolicy {
  /** Return the image unchanged (in the working layout) and log a warning. */
  RETURN_UNCHANGED,
  /** Throw {@link NoFaceException}. */
  THROW
}
