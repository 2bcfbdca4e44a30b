/**
 * Immutable dense tensors ({@link io.github.fran4j.core.tensor.Tensor}, row-major, NCHW for
 * images) and their storage types ({@link io.github.fran4j.core.tensor.DType}: F32, F16, BF16,
 * I64, with exact half/bfloat16 conversions). Pure Java; no native memory.
 */
package io.github.fran4j.core.tensor;
