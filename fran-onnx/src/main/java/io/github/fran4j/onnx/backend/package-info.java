/**
 * The {@code onnxruntime} backend that {@code ReAger.load} finds through
 * {@code META-INF/services}: {@link io.github.fran4j.onnx.backend.OnnxBackendProvider} opens ONNX
 * models with {@code onnx.runtime} and exports weight files in memory with {@code onnx.export}.
 * It is the one package that uses both, so neither depends on the other's caller.
 */
package io.github.fran4j.onnx.backend;
