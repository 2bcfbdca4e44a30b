/**
 * Evaluation of a re-aging model on real photos ({@code fran eval}): photos labelled with their
 * ages ({@link io.github.fran4j.onnx.eval.LabelledPhoto}), the evaluation with pluggable ONNX
 * estimators ({@link io.github.fran4j.onnx.eval.PhotoEvaluation}, using
 * {@link io.github.fran4j.onnx.face.FaceEstimator}) and its HTML and CSV report
 * ({@link io.github.fran4j.onnx.eval.EvaluationReport}). See docs/evaluation.md.
 */
package io.github.fran4j.onnx.eval;
