package io.github.fran4j.core.spi;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A service that opens model files as {@link Generator}s, registered in
 * {@code META-INF/services/io.github.fran4j.core.spi.BackendProvider}.
 *
 * <p>{@code ReAger.load} asks every provider found by {@link java.util.ServiceLoader} whether it
 * {@link #supports} a file and opens it with the highest-ranked one (the system property
 * {@code fran.backend} forces a provider by name). Providers must be cheap to construct: no native
 * library loading or device probing until {@link #open}.
 */
public interface BackendProvider {

  /** {@return the provider's short name, e.g. {@code pure-java} or {@code onnxruntime}} */
  String name();

  /** {@return the rank: when several providers support a file, the highest rank wins} */
  int rank();

  /** {@return the file formats this provider reads, for error messages, e.g. {@code .onnx}} */
  String formats();

  /**
   * Returns whether this provider can open the file, judging by its name and first bytes only.
   *
   * @param file the model file
   * @return true if {@link #open} should be tried
   */
  boolean supports(Path file);

  /**
   * Opens a model file.
   *
   * @param file the model file
   * @param options device and runtime options
   * @return the generator; the caller closes it
   * @throws IOException if the file cannot be read or is not a valid model (then a
   *     {@link io.github.fran4j.core.ModelFormatException} saying what is wrong)
   */
  Generator open(Path file, BackendOptions options) throws IOException;
}
