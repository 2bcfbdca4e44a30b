package io.github.fran4j.core.spi;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Optional;

/**
 * A loaded re-aging generator: maps an {@code [N, 5, H, W]} float32 input (RGB in [0, 1], input
 * age / 100, target age / 100) to an {@code [N, 3, H, W]} RGB delta.
 *
 * <p>Implementations must be safe to call from several threads at once and must give the same
 * result for the same input whatever the concurrency. {@link #close()} releases native resources;
 * it is idempotent, and {@link #predict} after close throws {@link IllegalStateException}.
 */
public interface Generator extends AutoCloseable {

  /**
   * Runs the network.
   *
   * @param input an {@code [N, inChannels, H, W]} float32 tensor; H and W multiples of
   *     {@link #sizeMultiple()}
   * @return the {@code [N, outChannels, H, W]} delta
   * @throws IllegalArgumentException if the input's shape is not accepted, saying what is
   * @throws IllegalStateException if the generator is closed
   */
  Tensor predict(Tensor input);

  /**
   * {@return the architecture when the model file states it or it can be inferred; foreign ONNX
   * models may not say}
   */
  Optional<UNetConfig> config();

  /** {@return the multiple that H and W must be (2^depth; 1 if any size is accepted)} */
  int sizeMultiple();

  /**
   * {@return the smallest H and W the model accepts (a multiple of {@link #sizeMultiple()} is also
   * required)} Callers pad smaller images up to it.
   */
  default int minimumSize() {
    return config().map(UNetConfig::minimumSize).orElse(sizeMultiple());
  }

  /** {@return the square resolution the model was trained at, the size faces are re-aged at} */
  int resolution();

  /** {@return a description of the backend and device, e.g. {@code onnxruntime (cuda:0)}} */
  String describe();

  /** Releases resources. Idempotent. */
  @Override
  void close();
}
