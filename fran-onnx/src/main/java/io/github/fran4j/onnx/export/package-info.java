/**
 * Exports FRAN generators to ONNX: {@link io.github.fran4j.onnx.export.OnnxExporter} writes an
 * fp32 graph (opset 17, BatchNorm folded, dynamic batch, height and width) and
 * {@link io.github.fran4j.onnx.export.Int8Quantizer} turns it into a statically quantized QDQ graph
 * calibrated on real images. The file contract is in
 * {@link io.github.fran4j.onnx.format.OnnxModelFormat}.
 */
package io.github.fran4j.onnx.export;
