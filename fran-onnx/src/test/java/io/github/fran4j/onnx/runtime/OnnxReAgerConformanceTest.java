package io.github.fran4j.onnx.runtime;

import io.github.fran4j.core.testing.ReAgerConformanceTest;

/** The {@link io.github.fran4j.core.ReAger} contract on ONNX Runtime (CPU). */
class OnnxReAgerConformanceTest extends ReAgerConformanceTest {
  @Override
  protected String backend() {
    return "onnxruntime";
  }
}
