/**
 * The inference backend SPI: a {@link io.github.fran4j.core.spi.BackendProvider} registered in
 * {@code META-INF/services} opens model files it supports as thread-safe
 * {@link io.github.fran4j.core.spi.Generator}s, configured by
 * {@link io.github.fran4j.core.spi.BackendOptions} and a {@link io.github.fran4j.core.spi.Device}.
 * The pure-Java backend lives in {@code io.github.fran4j.core.backend}; ONNX Runtime is added by
 * the {@code fran-onnx} artifact.
 */
package io.github.fran4j.core.spi;
