/**
 * The SDK's entry point and its exception model: {@link io.github.fran4j.core.ReAger} loads a FRAN
 * model and re-ages images.
 *
 * <pre>{@code
 * try (ReAger reager = ReAger.load(Path.of("fran.onnx"))) {
 *   BufferedImage older = reager.reage(ImageIO.read(new File("face.png")), 25, 70);
 * }
 * }</pre>
 *
 * <p>{@code ReAger} re-ages whole images, or faces through the face pipeline when one is chosen.
 *
 * <p>Every failure the SDK itself reports is a {@link io.github.fran4j.core.FranException}:
 * {@link io.github.fran4j.core.ModelFormatException} (a file's content is not a valid model),
 * {@link io.github.fran4j.core.NoBackendException} (no backend accepts the file),
 * {@link io.github.fran4j.core.DeviceUnavailableException} (a requested device cannot be used, on
 * every backend) and {@link io.github.fran4j.core.EngineException} (an inference engine failed).
 * They are unchecked because the calls that run the engine ({@code reage}, {@code sweep},
 * {@code Generator.predict}) are unchecked, and a failure there must be the same type as at load
 * time; file-system failures stay {@link java.io.IOException}s, caller mistakes
 * {@link IllegalArgumentException}s and null arguments {@link NullPointerException}s (Guava's
 * {@code checkNotNull}).
 *
 * <p>The other packages hold the building blocks: tensors, weight files, the architecture, images,
 * the backend SPI and the pipeline.
 */
package io.github.fran4j.core;
