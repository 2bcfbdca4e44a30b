package io.github.fran4j.core.weights.pth;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.tensor.Tensor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any strided view with any storage offset reads as a naive index computation says. */
class PthStridesPropertiesTest {

  record View(long offset, long[] size, long[] stride) {}

  @Provide
  Arbitrary<View> views() {
    Arbitrary<Integer> rank = Arbitraries.integers().between(0, 4);
    return rank.flatMap(
        r ->
            Combinators.combine(
                    Arbitraries.longs().between(0, 5),
                    Arbitraries.longs().between(0, 4).array(long[].class).ofSize(r),
                    Arbitraries.longs().between(0, 7).array(long[].class).ofSize(r))
                .as(View::new));
  }

  @Property(tries = 60)
  void stridedViewsMatchNaiveIndexing(@ForAll("views") View v) throws Exception {
    long last = v.offset();
    long n = 1;
    for (int d = 0; d < v.size().length; d++) {
      n *= v.size()[d];
      last += Math.max(0, v.size()[d] - 1) * v.stride()[d];
    }
    int numel = (int) last + 1;
    float[] storage = new float[numel];
    for (int i = 0; i < numel; i++) {
      storage[i] = i * 0.5f - 3;
    }
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("t")
            .tensor("FloatStorage", "0", numel, v.offset(), v.size(), v.stride())
            .op('s')
            .stop();
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("a/data.pkl", pkl);
    entries.put("a/data/0", PickleBuilder.floatsLe(storage));
    entries.put("a/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    Path f = PickleBuilder.zip(Files.createTempFile("strided", ".pth"), entries);
    try {
      Tensor t = PthReader.read(f).get("t");
      assertThat(t.size()).isEqualTo(n);
      // Naive: decode each flat row-major index into a multi-index and apply the strides.
      for (int flat = 0; flat < n; flat++) {
        long rem = flat;
        long src = v.offset();
        for (int d = v.size().length - 1; d >= 0; d--) {
          src += (rem % v.size()[d]) * v.stride()[d];
          rem /= v.size()[d];
        }
        assertThat(t.getFloat(flat)).as("element %s", flat).isEqualTo(storage[(int) src]);
      }
    } finally {
      Files.delete(f);
    }
  }
}
