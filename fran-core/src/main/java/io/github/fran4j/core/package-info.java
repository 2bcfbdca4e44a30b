/**
 * The SDK's entry point: {@link io.github.fran4j.core.ReAger} loads a FRAN model and re-ages
 * images.
 *
 * <pre>{@code
 * try (ReAger reager = ReAger.load(Path.of("fran.onnx"))) {
 *   BufferedImage older = reager.reage(ImageIO.read(new File("face.png")), 25, 70);
 * }
 * }</pre>
 *
 * <p>{@code ReAger} re-ages whole images, or faces through the face pipeline with a detector or a
 * face box. This package also holds the checked exceptions for bad model files,
 * {@link io.github.fran4j.core.ModelFormatException} and its subclass
 * {@link io.github.fran4j.core.NoBackendException}. The other packages hold the building blocks:
 * tensors, weight files, the architecture, images, the backend SPI and the pipeline.
 */
package io.github.fran4j.core;
