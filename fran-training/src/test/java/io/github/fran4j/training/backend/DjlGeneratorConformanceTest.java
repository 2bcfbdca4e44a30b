package io.github.fran4j.training.backend;

import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.testing.GeneratorConformanceTest;

/** The {@link Generator} contract on the DJL backend, against the PyTorch fixtures. */
class DjlGeneratorConformanceTest extends GeneratorConformanceTest {
  @Override
  protected Generator open(String unetCase) throws Exception {
    return new DjlBackendProvider().open(Fixtures.unetWeightsFile(unetCase, tempDir),
        BackendOptions.builder().optDevice(Device.CPU).build());
  }
}
