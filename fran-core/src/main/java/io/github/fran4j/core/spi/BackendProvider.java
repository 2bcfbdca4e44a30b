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

  /**
   * Returns whether this provider can open a model held in memory, judging by its content only
   * (see {@code WeightFiles.detect(byte[])}). The default is false: a provider that reads only
   * files need not implement the in-memory methods.
   *
   * @param model the model's bytes
   * @return true if {@link #open(byte[], String, BackendOptions)} should be tried
   */
  default boolean supports(byte[] model) {
    return false;
  }

  /**
   * Opens a model held in memory, without touching the disk.
   *
   * @param model the model's bytes (the provider may keep a reference; do not modify them)
   * @param name a name for messages and {@link Generator#describe()}
   * @param options device and runtime options
   * @return the generator; the caller closes it
   * @throws io.github.fran4j.core.ModelFormatException if the bytes are not a valid model
   * @throws io.github.fran4j.core.NoBackendException if this provider opens files only (the
   *     default)
   * @throws IOException if the model cannot be read
   */
  default Generator open(byte[] model, String name, BackendOptions options) throws IOException {
    throw new io.github.fran4j.core.NoBackendException("the " + name() + " backend opens model"
        + " files only, not models held in memory like " + name);
  }
}
