package io.github.fran4j.examples.serve;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Optional;

/**
 * A view of a generator owned elsewhere: everything is delegated except {@link #close()}, which
 * does nothing, so a second {@code ReAger} (the face-pipeline one) can run the same loaded model
 * without closing it. Thread-safe as the delegate is.
 */
final class SharedGenerator implements Generator {
  private final Generator owner;

  SharedGenerator(Generator owner) {
    this.owner = owner;
  }

  @Override
  public Tensor predict(Tensor input) {
    return owner.predict(input);
  }

  @Override
  public Optional<UNetConfig> config() {
    return owner.config();
  }

  @Override
  public int sizeMultiple() {
    return owner.sizeMultiple();
  }

  @Override
  public int minimumSize() {
    return owner.minimumSize();
  }

  @Override
  public int resolution() {
    return owner.resolution();
  }

  @Override
  public String describe() {
    return owner.describe();
  }

  /** Does nothing: the owner's {@code ReAger} closes the generator. */
  @Override
  public void close() {}
}
