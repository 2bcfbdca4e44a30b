/**
 * Runs ONNX generators with ONNX Runtime on CUDA or the CPU:
 * {@link io.github.fran4j.onnx.runtime.OnnxGenerator}, the shared {@code OrtEnvironment} and the
 * device choice. Whether CUDA is possible depends on which ONNX Runtime jar is on the class path
 * ({@code onnxruntime} for the CPU, {@code onnxruntime_gpu} for CUDA; never both). Depends only on
 * the file contract in {@code onnx.format}, never on {@code onnx.export}; the backend provider
 * that combines both lives in {@code onnx.backend}.
 */
package io.github.fran4j.onnx.runtime;
