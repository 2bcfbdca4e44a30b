package io.github.fran4j.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.github.fran4j.core.model.ReferenceUNet;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DJL U-Net in eval mode against two independent references on the same weights: fran-core's
 * pure-Java {@link ReferenceUNet} (random weights, both up-sampling variants, blur-pool on and off,
 * several sizes including non-multiples of 2^depth), and real PyTorch outputs stored in fran-core's
 * fixtures (made by fran-core/src/test/python/make_reference_fixtures.py).
 */
class UNetParityTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager();
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static Stream<Arguments> variants() {
    return Stream.of(
        Arguments.of(Upsampling.TRANSPOSED, false),
        Arguments.of(Upsampling.TRANSPOSED, true),
        Arguments.of(Upsampling.BILINEAR, false),
        Arguments.of(Upsampling.BILINEAR, true));
  }

  private static float[] djlForward(StateDict w, UNetConfig c, Tensor input) throws Exception {
    UNet u = new UNet(c);
    u.initialize(manager, DataType.FLOAT32, new Shape(1, c.inChannels(), 16, 16));
    u.loadStateDict(w);
    try (NDManager sub = manager.newSubManager()) {
      long[] shape = Arrays.stream(input.shape()).mapToLong(i -> i).toArray();
      NDArray x = sub.create(input.toFloatArray(), new Shape(shape));
      NDArray y = u.forward(new ParameterStore(sub, false), new NDList(x), false).singletonOrThrow();
      return y.toFloatArray();
    }
  }

  private static void assertClose(float[] got, float[] expected, double tol, String what) {
    assertThat(got).as(what).hasSameSizeAs(expected);
    double worst = 0;
    for (int i = 0; i < got.length; i++) {
      worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    }
    assertThat(worst).as("%s: max |djl - reference|", what).isLessThanOrEqualTo(tol);
  }

  @ParameterizedTest
  @MethodSource("variants")
  void matchesReferenceUNet(Upsampling up, boolean blur) throws Exception {
    UNetConfig c = UNetConfig.builder().optBaseWidth(4).optDepth(3).optUpsampling(up)
        .optBlurPool(blur).optTrainingResolution(32).build();
    StateDict w = UNetTest.randomWeights(c, 11);
    ReferenceUNet ref = ReferenceUNet.create(w, c);
    Random r = new Random(5);
    for (int[] hw : new int[][] {{32, 32}, {24, 40}, {19, 13}}) {
      float[] in = new float[2 * 5 * hw[0] * hw[1]];
      for (int i = 0; i < in.length; i++) {
        in[i] = r.nextFloat();
      }
      Tensor input = Tensor.ofFloats(in, 2, 5, hw[0], hw[1]);
      float[] expected = ref.forward(input).toFloatArray();
      assertClose(djlForward(w, c, input), expected, 1e-4,
          up + " blur=" + blur + " " + hw[0] + "x" + hw[1]);
    }
  }

  /** Reads a fixture from fran-core's test-jar (a jar entry, so not a Path). */
  private StateDict fixture(String file) throws Exception {
    try (InputStream in = getClass().getResourceAsStream("/fixtures/unet/" + file)) {
      assertThat(in).as("fran-core test-jar fixture " + file).isNotNull();
      return SafeTensors.read(in.readAllBytes(), file);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"transposed_d2_w4", "transposed_d3_w4_blur", "bilinear_d3_w4",
      "bilinear_d2_w4_blur", "transposed_d2_w4_f16"})
  void matchesPyTorchFixtures(String name) throws Exception {
    StateDict w = fixture(name + ".safetensors");
    StateDict io = fixture(name + ".io.safetensors");
    UNetConfig c = UNetConfig.fromStateDict(w);
    int cases = 0;
    for (String n : io.names()) {
      if (n.startsWith("input.")) {
        Tensor out = io.get("output." + n.substring("input.".length()));
        assertClose(djlForward(w, c, io.get(n)), out.toFloatArray(), 1e-4, name + " " + n);
        cases++;
      }
    }
    assertThat(cases).isPositive();
  }
}
