package io.github.fran4j.core;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Face;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;

/**
 * One image of a batch for {@link ReAger#reage(List)}: the image, its apparent and target ages,
 * and optionally its faces when they were found beforehand (e.g. with the re-ager's own
 * {@link io.github.fran4j.core.pipeline.FacePipeline#detect}, to report them), so that they are
 * not detected a second time.
 *
 * <p>Immutable and thread-safe (the image is not copied: do not change it while a call runs).
 */
public final class ReAgeRequest {
  private final BufferedImage image;
  private final AgeMap inputAge;
  private final AgeMap targetAge;
  private final ImmutableList<Face> faces;

  private ReAgeRequest(BufferedImage image, AgeMap inputAge, AgeMap targetAge,
      ImmutableList<Face> faces) {
    this.image = checkNotNull(image, "image");
    this.inputAge = checkNotNull(inputAge, "inputAge map");
    this.targetAge = checkNotNull(targetAge, "targetAge map");
    this.faces = faces;
  }

  /**
   * Returns a request with constant ages.
   *
   * @param image the image
   * @param inputAge the person's apparent age in the image, in years
   * @param targetAge the desired age in years
   * @return the request
   * @throws IllegalArgumentException for an age that is NaN, infinite, negative or over 150
   */
  public static ReAgeRequest of(BufferedImage image, double inputAge, double targetAge) {
    return of(image, AgeMap.constant(AgeMap.checkAge(inputAge, "inputAge")),
        AgeMap.constant(AgeMap.checkAge(targetAge, "targetAge")));
  }

  /**
   * Returns a request with per-pixel ages (localized re-aging).
   *
   * @param image the image
   * @param inputAge the apparent age per pixel
   * @param targetAge the desired age per pixel
   * @return the request
   */
  public static ReAgeRequest of(BufferedImage image, AgeMap inputAge, AgeMap targetAge) {
    return new ReAgeRequest(image, inputAge, targetAge, null);
  }

  /**
   * Returns this request with its faces given: the face pipeline re-ages them instead of
   * detecting faces again (an empty list: the pipeline's no-face policy applies). Only for a
   * re-ager with a face pipeline.
   *
   * @param v the faces, in the image's pixels
   * @return a new request
   */
  public ReAgeRequest withFaces(List<Face> v) {
    return new ReAgeRequest(image, inputAge, targetAge,
        ImmutableList.copyOf(checkNotNull(v, "faces")));
  }

  /** {@return the image} */
  public BufferedImage image() {
    return image;
  }

  /** {@return the apparent age per pixel} */
  public AgeMap inputAge() {
    return inputAge;
  }

  /** {@return the desired age per pixel} */
  public AgeMap targetAge() {
    return targetAge;
  }

  /** {@return the faces given with {@link #withFaces}; empty when the re-ager finds them} */
  public Optional<List<Face>> faces() {
    return Optional.ofNullable(faces);
  }

  @Override
  public String toString() {
    return "ReAgeRequest{" + image.getWidth() + "x" + image.getHeight() + ", " + inputAge + " -> "
        + targetAge + (faces == null ? "" : ", " + faces.size() + " face(s) given") + "}";
  }
}
