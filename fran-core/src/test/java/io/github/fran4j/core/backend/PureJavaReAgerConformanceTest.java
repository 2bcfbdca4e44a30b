package io.github.fran4j.core.backend;

import io.github.fran4j.core.testing.ReAgerConformanceTest;

/** The {@link io.github.fran4j.core.ReAger} contract on the pure-Java reference backend. */
class PureJavaReAgerConformanceTest extends ReAgerConformanceTest {
  @Override
  protected String backend() {
    return PureJavaBackendProvider.NAME;
  }
}
