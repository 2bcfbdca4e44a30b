/**
 * The contract of FRAN's ONNX files, shared by the exporter that writes them and the runtime that
 * reads them: {@link io.github.fran4j.onnx.format.OnnxModelFormat} (opset, IR version, input and
 * output names, metadata keys). Depends on nothing else in fran-onnx.
 */
package io.github.fran4j.onnx.format;
