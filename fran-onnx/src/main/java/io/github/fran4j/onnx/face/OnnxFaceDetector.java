package io.github.fran4j.onnx.face;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Boxes from an {@link UltraFaceDetector}, refined with 68 landmarks from a
 * {@link Landmark68Model} when one is given (the pipeline then aligns on the five points derived
 * from them). Owns both models: {@link #close()} closes them (idempotent). Thread-safe.
 */
public final class OnnxFaceDetector implements FaceDetector {
  private final UltraFaceDetector boxes;
  private final Landmark68Model landmarks;

  /**
   * Combines a box detector and an optional landmark model (taking ownership of both).
   *
   * @param boxes the box detector
   * @param landmarks the landmark model, or null for boxes only
   */
  public OnnxFaceDetector(UltraFaceDetector boxes, Landmark68Model landmarks) {
    this.boxes = checkNotNull(boxes, "boxes");
    this.landmarks = landmarks;
  }

  /**
   * Opens the two model files.
   *
   * @param detector the UltraFace-style detector, e.g. {@code fr_detect.onnx}
   * @param landmarkModel the 68-point landmark model, e.g. {@code fr_landmark.onnx}, or null
   * @return the detector; the caller closes it
   * @throws IOException if a file is missing or not the expected kind of model
   */
  public static OnnxFaceDetector open(Path detector, Path landmarkModel) throws IOException {
    UltraFaceDetector d = UltraFaceDetector.open(detector);
    try {
      return new OnnxFaceDetector(d, landmarkModel == null ? null : Landmark68Model.open(landmarkModel, 0));
    } catch (IOException | RuntimeException e) {
      d.close();
      throw e;
    }
  }

  /** {@return the landmark model, if any} */
  public Optional<Landmark68Model> landmarkModel() {
    return Optional.ofNullable(landmarks);
  }

  @Override
  public List<Face> detect(BufferedImage image) {
    List<Face> found = boxes.detect(image);
    if (landmarks == null) {
      return found;
    }
    ImmutableList.Builder<Face> out = ImmutableList.builder();
    for (Face f : found) {
      out.add(landmarks.landmarks(image, f));
    }
    return out.build();
  }

  @Override
  public void close() {
    try {
      boxes.close();
    } finally {
      if (landmarks != null) {
        landmarks.close();
      }
    }
  }

  @Override
  public String toString() {
    return "OnnxFaceDetector{" + boxes + (landmarks == null ? "" : ", " + landmarks) + "}";
  }
}
