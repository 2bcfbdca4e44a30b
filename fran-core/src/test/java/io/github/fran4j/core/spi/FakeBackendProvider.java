package io.github.fran4j.core.spi;

import java.nio.file.Path;

/** A test backend registered for files ending in {@code .fake}. */
public final class FakeBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return "fake";
  }

  @Override
  public int rank() {
    return 1;
  }

  @Override
  public String formats() {
    return ".fake";
  }

  @Override
  public boolean supports(Path file) {
    return file.getFileName().toString().endsWith(".fake");
  }

  @Override
  public Generator open(Path file, BackendOptions options) {
    return new FakeGenerator(8);
  }
}
