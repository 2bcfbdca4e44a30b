/**
 * The DJL backend: {@link io.github.fran4j.training.backend.DjlBackendProvider} runs the training
 * U-Net ({@code io.github.fran4j.training.model.UNet}, PyTorch through DJL) behind the same
 * {@code ReAger} API as the pure-Java and ONNX Runtime backends, so that a trained model can be
 * checked against them with the same conformance suite and benchmarked the same way.
 */
package io.github.fran4j.training.backend;
