package io.github.fran4j.core.backend;

import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.testing.GeneratorConformanceTest;

/** The pure-Java backend meets the generator contract. */
class PureJavaGeneratorConformanceTest extends GeneratorConformanceTest {
  @Override
  protected Generator open(String unetCase) throws Exception {
    return new PureJavaBackendProvider()
        .open(Fixtures.unetWeightsFile(unetCase, tempDir), BackendOptions.defaults());
  }
}
