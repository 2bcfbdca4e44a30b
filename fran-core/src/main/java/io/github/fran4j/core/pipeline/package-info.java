/**
 * The production re-aging pipeline: find faces in any photo, align each to the FFHQ-style crop the
 * models are trained on, re-age the crop (tiled when it is large), and add the resized delta back
 * to the full-resolution frame through a feathered mask.
 *
 * <p>Every stage is replaceable: {@link io.github.fran4j.core.pipeline.FaceDetector} finds faces
 * ({@link io.github.fran4j.core.pipeline.FullImageDetector},
 * {@link io.github.fran4j.core.pipeline.FixedBoxDetector}, or an ONNX detector from
 * {@code fran-onnx}); {@link io.github.fran4j.core.pipeline.FaceAligner} maps landmarks to a crop
 * through a {@link io.github.fran4j.core.pipeline.SimilarityTransform};
 * {@link io.github.fran4j.core.pipeline.CropWarper} samples crops and pastes deltas back;
 * {@link io.github.fran4j.core.pipeline.TiledRunner} runs large inputs as feathered tiles;
 * {@link io.github.fran4j.core.pipeline.LandmarkSmoother} steadies crops over a sequence.
 * {@link io.github.fran4j.core.pipeline.FacePipeline} ties them together for
 * {@code io.github.fran4j.core.ReAger}.
 */
package io.github.fran4j.core.pipeline;
