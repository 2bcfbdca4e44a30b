package io.github.fran4j.examples.serve;

import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.FullImageDetector;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The model a server runs: one {@link ReAger} (the whole image is the face) and, when a face
 * detector is configured, a second {@code ReAger} with the face pipeline that runs the same loaded
 * generator (the model is in memory once). Requests choose between them with the {@code pipeline}
 * field. Thread-safe; {@link #close()} closes the model.
 */
public final class ServedModel implements AutoCloseable {
  private final ReAger direct;
  private final ReAger faces;
  private final FaceDetector detector; // owned; null when the caller owns it

  private ServedModel(ReAger direct, ReAger faces, FaceDetector detector) {
    this.direct = direct;
    this.faces = faces;
    this.detector = detector;
  }

  /**
   * Opens the model and face detector that options describe (files as given): the whole-image
   * re-ager, and a face-pipeline one on the same loaded model when the options choose a detector
   * or a face box. The options' no-face policy applies to the face pipeline (a server usually
   * wants {@code THROW}: a 422 error).
   *
   * @param options the re-ager's options
   * @return the served model, owning the model and the detector
   * @throws IOException if the model or the detector cannot be loaded
   */
  public static ServedModel open(ReAgeOptions options) throws IOException {
    checkNotNull(options, "options");
    FaceDetector det = options.openDetector();
    try {
      // The whole-image re-ager: the same options without a face pipeline.
      ReAger reager = options.open(FullImageDetector.INSTANCE);
      Optional<FacePipeline> pipeline = options.pipeline(det);
      if (pipeline.isEmpty()) {
        return new ServedModel(reager, null, det);
      }
      try {
        return new ServedModel(reager, facesOn(reager, pipeline.get()), det);
      } catch (IOException | RuntimeException e) {
        reager.close();
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      det.close();
      throw e;
    }
  }

  /**
   * Serves a re-ager without a face pipeline: every image is the face (pre-aligned crops).
   *
   * @param reager a re-ager without a pipeline; the served model takes ownership
   * @return the served model
   * @throws IllegalArgumentException if the re-ager has a face pipeline (use
   *     {@link #withFacePipeline})
   */
  public static ServedModel of(ReAger reager) {
    return new ServedModel(checkNoPipeline(reager), null, null);
  }

  /**
   * Serves a re-ager with a face pipeline that requests may switch on or off. The pipeline's
   * no-face policy decides what a photo without a face gets: with {@code THROW}, a 422 error.
   *
   * @param reager a re-ager without a pipeline; the served model takes ownership
   * @param pipeline the face pipeline (its detector stays the caller's to close)
   * @return the served model
   * @throws IOException never in practice (no file is opened); declared by the builder
   */
  public static ServedModel withFacePipeline(ReAger reager, FacePipeline pipeline)
      throws IOException {
    checkNoPipeline(reager);
    checkNotNull(pipeline, "pipeline");
    return new ServedModel(reager, facesOn(reager, pipeline), null);
  }

  /** A second re-ager with the pipeline, running the first one's loaded generator. */
  private static ReAger facesOn(ReAger reager, FacePipeline pipeline) throws IOException {
    return ReAger.builder().setGenerator(new SharedGenerator(reager.generator()))
        .optFacePipeline(pipeline).build();
  }

  private static ReAger checkNoPipeline(ReAger reager) {
    checkNotNull(reager, "reager");
    if (reager.pipeline().isPresent()) {
      throw new IllegalArgumentException("pass a ReAger without a face pipeline and give the "
          + "pipeline to withFacePipeline, so that requests can switch it off");
    }
    return reager;
  }

  /** Returns whether a face pipeline is configured. */
  public boolean hasFacePipeline() {
    return faces != null;
  }

  BufferedImage reage(BufferedImage image, AgeMap inputAge, AgeMap targetAge, boolean pipeline) {
    return pick(pipeline).reage(image, inputAge, targetAge);
  }

  List<BufferedImage> sweep(BufferedImage image, double inputAge, double[] ages, boolean pipeline) {
    return pick(pipeline).sweep(image, inputAge, ages);
  }

  private ReAger pick(boolean pipeline) {
    return pipeline ? faces : direct;
  }

  /**
   * Describes the model for {@code GET /v1/model}: family, width, depth, upsampling, backend,
   * device, resolution and whether a face pipeline is configured.
   *
   * @return a JSON-ready map (insertion-ordered)
   */
  Map<String, Object> info() {
    Map<String, Object> m = new LinkedHashMap<>();
    var config = direct.generator().config();
    m.put("family", config.isPresent() ? "fran-unet" : "unknown");
    config.ifPresent(c -> {
      m.put("width", c.baseWidth());
      m.put("depth", c.depth());
      m.put("upsampling", c.upsampling().name().toLowerCase(Locale.ROOT));
    });
    // describe() reads "backend (device)" or "backend (device, details...)".
    String d = direct.describe();
    int open = d.indexOf(" (");
    boolean split = open > 0 && d.endsWith(")");
    m.put("backend", split ? d.substring(0, open) : d);
    m.put("device", split ? d.substring(open + 2, d.length() - 1).split(",")[0].trim() : "unknown");
    m.put("description", d);
    m.put("resolution", direct.generator().resolution());
    m.put("face_pipeline", hasFacePipeline());
    return m;
  }

  /** Closes the model (and the detector, when {@link #open} opened it). Idempotent. */
  @Override
  public void close() {
    try {
      if (faces != null) {
        faces.close();
      }
      direct.close();
    } finally {
      if (detector != null) {
        detector.close();
      }
    }
  }
}
