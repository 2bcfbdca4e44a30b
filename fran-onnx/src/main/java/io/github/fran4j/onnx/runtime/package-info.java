/**
 * Runs ONNX generators with ONNX Runtime on CUDA or the CPU:
 * {@link io.github.fran4j.onnx.runtime.OnnxGenerator} and the
 * {@link io.github.fran4j.onnx.runtime.OnnxBackendProvider} that {@code ReAger.load} finds through
 * {@code META-INF/services}. Whether CUDA is possible depends on which ONNX Runtime jar is on the
 * class path ({@code onnxruntime} for the CPU, {@code onnxruntime_gpu} for CUDA; never both).
 */
package io.github.fran4j.onnx.runtime;
