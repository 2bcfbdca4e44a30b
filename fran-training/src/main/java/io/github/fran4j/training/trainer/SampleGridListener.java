package io.github.fran4j.training.trainer;

import io.github.fran4j.core.pipeline.Photos;
import java.io.IOException;
import java.nio.file.Path;

/** Writes each validation's sample grid as {@code samples/epoch-NNNN.png}. */
final class SampleGridListener implements TrainingListener {
  private final Path dir;

  SampleGridListener(Path dir) {
    this.dir = dir;
  }

  @Override
  public void onValidation(ValidationEvent e) throws IOException {
    if (e.samples().isPresent()) {
      Photos.write(e.samples().get(),
          dir.resolve(String.format("epoch-%04d.png", e.metrics().epoch())));
    }
  }
}
