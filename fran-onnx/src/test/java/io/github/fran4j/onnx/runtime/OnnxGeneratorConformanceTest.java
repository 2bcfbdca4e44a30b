package io.github.fran4j.onnx.runtime;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.testing.GeneratorConformanceTest;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.backend.OnnxBackendProvider;
import io.github.fran4j.onnx.export.OnnxExporter;
import java.nio.file.Path;

/** The ONNX Runtime backend meets the generator contract, through an exported .onnx file. */
class OnnxGeneratorConformanceTest extends GeneratorConformanceTest {
  @Override
  protected Generator open(String unetCase) throws Exception {
    StateDict w = Fixtures.unetWeights(unetCase);
    Path onnx = tempDir.resolve(unetCase + ".onnx");
    OnnxExporter.export(w, UNetConfig.fromStateDict(w), onnx);
    return new OnnxBackendProvider()
        .open(onnx, BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build());
  }
}
