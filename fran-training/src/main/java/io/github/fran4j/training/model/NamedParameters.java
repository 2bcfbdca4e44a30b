package io.github.fran4j.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import java.util.Arrays;
import java.util.Map;

/** Copies values between DJL parameters and fran-core tensors by name. Stateless. */
final class NamedParameters {
  private NamedParameters() {}

  static Tensor read(String name, Parameter p) {
    if (!p.isInitialized()) {
      throw new IllegalStateException(
          "parameter " + name + " is not initialised: call initialize(...) on the block first");
    }
    NDArray a = p.getArray();
    int[] shape = Arrays.stream(a.getShape().getShape()).mapToInt(d -> (int) d).toArray();
    return Tensor.ofFloats(a.toFloatArray(), shape);
  }

  static void write(String name, Parameter p, Tensor t) throws ModelFormatException {
    if (!p.isInitialized()) {
      throw new IllegalStateException(
          "parameter " + name + " is not initialised: call initialize(...) on the block first");
    }
    NDArray a = p.getArray();
    long[] expected = a.getShape().getShape();
    long[] actual = Arrays.stream(t.shape()).mapToLong(d -> d).toArray();
    if (!Arrays.equals(expected, actual)) {
      throw new ModelFormatException(
          "tensor " + name + " has shape " + Arrays.toString(actual) + ", expected "
              + Arrays.toString(expected));
    }
    // set() copies into the existing array, so the gradient attached to it stays valid.
    a.set(t.toFloatArray());
  }

  static ImmutableMap<String, Parameter> freeze(Map<String, Parameter> names) {
    return ImmutableMap.copyOf(names);
  }
}
