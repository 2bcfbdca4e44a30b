/**
 * Face detection and landmarks with ONNX Runtime, for the re-aging pipeline
 * ({@link io.github.fran4j.core.pipeline.FaceDetector}): an UltraFace-style box detector
 * ({@link io.github.fran4j.onnx.face.UltraFaceDetector}), a 68-point landmark model
 * ({@link io.github.fran4j.onnx.face.Landmark68Model}) and their combination
 * ({@link io.github.fran4j.onnx.face.OnnxFaceDetector}). The models are not shipped: users pass
 * file paths, e.g. {@code model/fr_detect.onnx} and {@code model/fr_landmark.onnx} from the npm
 * package {@code faceplugin-face-recognition-js@0.0.1}.
 */
package io.github.fran4j.onnx.face;
