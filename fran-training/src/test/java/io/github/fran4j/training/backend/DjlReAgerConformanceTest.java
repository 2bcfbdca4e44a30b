package io.github.fran4j.training.backend;

import io.github.fran4j.core.testing.ReAgerConformanceTest;

/** The {@link io.github.fran4j.core.ReAger} contract on the DJL (PyTorch) backend. */
class DjlReAgerConformanceTest extends ReAgerConformanceTest {
  @Override
  protected String backend() {
    return DjlBackendProvider.NAME;
  }
}
