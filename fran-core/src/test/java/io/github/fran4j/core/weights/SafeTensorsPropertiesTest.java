package io.github.fran4j.core.weights;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Round-trip properties of {@link SafeTensors} over random state dicts. */
class SafeTensorsPropertiesTest {

  @Property(tries = 200)
  void writeThenReadGivesTheSameStateDict(@ForAll("stateDicts") StateDict sd) throws IOException {
    byte[] bytes = SafeTensors.toBytes(sd);
    StateDict back = SafeTensors.read(bytes, "roundtrip");
    assertThat(back).isEqualTo(sd);
    assertThat(back.names()).containsExactlyElementsOf(sd.names());
    // Writing what was read gives the same bytes: the format is canonical.
    assertThat(SafeTensors.toBytes(back)).isEqualTo(bytes);
  }

  @Property(tries = 100)
  void layoutIsAlignedAndTight(@ForAll("stateDicts") StateDict sd) {
    byte[] bytes = SafeTensors.toBytes(sd);
    long headerLen = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    assertThat(headerLen % 8).isZero();
    long data = 0;
    for (Tensor t : sd.tensors().values()) {
      data += (long) t.size() * t.dtype().byteSize();
    }
    assertThat(bytes.length).isEqualTo(8 + headerLen + data);
  }

  @Provide
  Arbitrary<StateDict> stateDicts() {
    Arbitrary<String> names =
        Arbitraries.strings().withCharRange('a', 'z').withChars('.', '_', '0', 'é').ofMinLength(1)
            .ofMaxLength(12);
    Arbitrary<Tensor> tensors = tensors();
    Arbitrary<List<String>> nameLists = names.list().ofMaxSize(6).uniqueElements();
    Arbitrary<String> metaStrings = Arbitraries.strings().ofMaxLength(20); // any chars, incl. "\
    return Combinators.combine(
            nameLists,
            tensors.list().ofSize(6),
            Arbitraries.maps(metaStrings.filter(s -> !s.isEmpty()), metaStrings).ofMaxSize(3))
        .as(
            (ns, ts, meta) -> {
              StateDict.Builder b = StateDict.builder();
              for (int i = 0; i < ns.size(); i++) {
                b.put(ns.get(i), ts.get(i));
              }
              meta.forEach(b::putMetadata);
              return b.build();
            });
  }

  private Arbitrary<Tensor> tensors() {
    Arbitrary<int[]> shapes =
        Arbitraries.integers().between(0, 5).array(int[].class).ofMaxSize(3);
    Arbitrary<Float> floats =
        Arbitraries.oneOf(
            Arbitraries.floats(),
            Arbitraries.of(
                Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, 0f,
                Float.MIN_VALUE, Float.MAX_VALUE, 65504f, 0x1p-24f),
            Arbitraries.integers().map(Float::intBitsToFloat));
    Arbitrary<DType> dtypes = Arbitraries.of(DType.class);
    return Combinators.combine(shapes, dtypes, floats.list().ofSize(125), Arbitraries.longs()
            .list().ofSize(125))
        .as(
            (shape, dtype, fs, ls) -> {
              int n = Tensor.numel(shape);
              if (dtype == DType.I64) {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                  v[i] = ls.get(i);
                }
                return Tensor.ofLongs(v, shape);
              }
              float[] v = new float[n];
              for (int i = 0; i < n; i++) {
                v[i] = fs.get(i);
              }
              return Tensor.ofFloats(dtype, v, shape);
            });
  }
}
