package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.ReferenceUNet.FeatureMap;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks {@link ReferenceUNet} against real PyTorch (fixtures written by
 * {@code src/test/python/make_reference_fixtures.py}) and against hand-computed values.
 */
class ReferenceUNetTest {
  /** Largest accepted difference from PyTorch's float64 output. */
  static final double TOLERANCE = 1e-4;

  static Path fixture(String name) {
    try {
      return Path.of(ReferenceUNetTest.class.getResource("/fixtures/unet/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "transposed_d2_w4,      TRANSPOSED, 2, false, 3",
    "bilinear_d3_w4,        BILINEAR,   3, false, 3",
    "transposed_d3_w4_blur, TRANSPOSED, 3, true,  2",
    "bilinear_d2_w4_blur,   BILINEAR,   2, true,  2",
    "transposed_d2_w4_f16,  TRANSPOSED, 2, false, 1",
  })
  void matchesPyTorch(String name, Upsampling up, int depth, boolean blur, int sizes)
      throws IOException {
    StateDict weights = SafeTensors.read(fixture(name + ".safetensors"));
    ReferenceUNet net = ReferenceUNet.create(weights);
    assertThat(net.config().upsampling()).isEqualTo(up);
    assertThat(net.config().depth()).isEqualTo(depth);
    assertThat(net.config().blurPool()).isEqualTo(blur);
    assertThat(net.config().baseWidth()).isEqualTo(4);

    StateDict io = SafeTensors.read(fixture(name + ".io.safetensors"));
    int checked = 0;
    for (String key : io.names()) {
      if (!key.startsWith("input.")) {
        continue;
      }
      Tensor input = io.get(key);
      Tensor expected = io.get("output." + key.substring("input.".length()));
      Tensor actual = net.forward(input);
      assertThat(actual.shape()).as(key).isEqualTo(expected.shape());
      assertThat(maxAbsDiff(actual, expected)).as("%s %s max |java - pytorch|", name, key)
          .isLessThan(TOLERANCE);
      checked++;
    }
    assertThat(checked).isEqualTo(sizes);
  }

  @Test
  void halfPrecisionWeightsAreUsedAtTheirExactValues() throws IOException {
    StateDict weights = SafeTensors.read(fixture("transposed_d2_w4_f16.safetensors"));
    assertThat(weights.get("inc.double_conv.0.weight").dtype()).isEqualTo(DType.F16);
    // The same values as BF16 would be rounded differently and must change the output.
    StateDict.Builder bf = weights.toBuilder();
    for (var e : weights.tensors().entrySet()) {
      if (e.getValue().dtype() == DType.F16) {
        bf.put(e.getKey(), e.getValue().toDType(DType.BF16));
      }
    }
    Tensor input = SafeTensors.read(fixture("transposed_d2_w4_f16.io.safetensors"))
        .get("input.16x16");
    Tensor half = ReferenceUNet.create(weights).forward(input);
    Tensor bfloat = ReferenceUNet.create(bf.build()).forward(input);
    double d = maxAbsDiff(half, bfloat);
    assertThat(d).isGreaterThan(1e-3).isLessThan(0.5);
  }

  @Test
  void resultDoesNotDependOnConcurrency() throws Exception {
    ReferenceUNet net =
        ReferenceUNet.create(SafeTensors.read(fixture("transposed_d2_w4.safetensors")));
    Tensor input = SafeTensors.read(fixture("transposed_d2_w4.io.safetensors")).get("input.24x20");
    Tensor once = net.forward(input);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Tensor>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        futures.add(pool.submit(() -> net.forward(input)));
      }
      for (Future<Tensor> f : futures) {
        assertThat(f.get()).isEqualTo(once);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- hand-computed network

  /**
   * A depth-1, width-2, one-channel U-Net whose weights route the signal along a path that can be
   * computed by hand: every 3x3 kernel has only its centre tap set, every BatchNorm is
   * (mean 0, var 1, gamma 1, beta 0), so each conv+BN+ReLU multiplies a non-negative input by
   * k = 1 / sqrt(1 + eps). The transposed conv copies the pooled map to 2x2 blocks of channel 1
   * with bias 0.5; the decoder adds skip + 2 * up; outc adds 0.25. On odd sizes the last row or
   * column receives no up-sampled value (F.pad puts the extra pixel at the bottom/right).
   */
  static StateDict handWeights(UNetConfig config) {
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : config.layout().parameters()) {
      int n = Tensor.numel(p.shape());
      if (p.dtype() == DType.I64) {
        b.put(p.name(), Tensor.ofLongs(new long[] {1}));
      } else if (p.name().endsWith("running_var")
          || (p.name().endsWith(".weight") && p.shape().length == 1)) {
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        b.put(p.name(), Tensor.ofFloats(ones, p.shape()));
      } else {
        b.put(p.name(), Tensor.zeros(p.shape()));
      }
    }
    centre(b, "inc.double_conv.0.weight", 2, 1, 0, 0, 1f);
    centre(b, "inc.double_conv.3.weight", 2, 2, 0, 0, 1f);
    centre(b, "down1.maxpool_conv.1.double_conv.0.weight", 4, 2, 0, 0, 1f);
    centre(b, "down1.maxpool_conv.1.double_conv.3.weight", 4, 4, 0, 0, 1f);
    float[] up = new float[4 * 2 * 2 * 2];
    for (int k = 0; k < 4; k++) {
      up[(0 * 2 + 1) * 4 + k] = 1f; // weight[ci=0][co=1][ky][kx]
    }
    b.put("up1.up.weight", Tensor.ofFloats(up, 4, 2, 2, 2));
    b.put("up1.up.bias", Tensor.ofFloats(new float[] {0f, 0.5f}, 2));
    float[] c0 = new float[2 * 4 * 9];
    c0[(0 * 4 + 0) * 9 + 4] = 1f; // skip channel 0
    c0[(0 * 4 + 3) * 9 + 4] = 2f; // up-sampled channel 1 (concat index 2 + 1)
    b.put("up1.conv.double_conv.0.weight", Tensor.ofFloats(c0, 2, 4, 3, 3));
    centre(b, "up1.conv.double_conv.3.weight", 2, 2, 0, 0, 1f);
    b.put("outc.conv.weight", Tensor.ofFloats(new float[] {1f, 0f}, 1, 2, 1, 1));
    b.put("outc.conv.bias", Tensor.ofFloats(new float[] {0.25f}, 1));
    return b.build();
  }

  private static void centre(StateDict.Builder b, String name, int out, int in, int co, int ci,
      float v) {
    float[] w = new float[out * in * 9];
    w[(co * in + ci) * 9 + 4] = v;
    b.put(name, Tensor.ofFloats(w, out, in, 3, 3));
  }

  @ParameterizedTest
  @CsvSource({"4, 4", "5, 3", "2, 7"})
  void handComputedNetwork(int h, int w) throws ModelFormatException {
    UNetConfig config =
        UNetConfig.builder().optInChannels(1).optOutChannels(1).optBaseWidth(2).optDepth(1)
            .optTrainingResolution(4).build();
    ReferenceUNet net = ReferenceUNet.create(handWeights(config), config);
    int n = 2;
    float[] x = new float[n * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = ((i * 7919) % 101) / 100f; // deterministic values in [0, 1]
    }
    float[] y = net.forward(Tensor.ofFloats(x, n, 1, h, w)).toFloatArray();
    double k = 1 / Math.sqrt(1 + 1e-5);
    for (int b = 0; b < n; b++) {
      for (int r = 0; r < h; r++) {
        for (int c = 0; c < w; c++) {
          double upValue = 0;
          if (r < 2 * (h / 2) && c < 2 * (w / 2)) {
            int r0 = r / 2 * 2;
            int c0 = c / 2 * 2;
            int base = b * h * w;
            double m = Math.max(Math.max(x[base + r0 * w + c0], x[base + r0 * w + c0 + 1]),
                Math.max(x[base + (r0 + 1) * w + c0], x[base + (r0 + 1) * w + c0 + 1]));
            upValue = k * k * k * k * m + 0.5;
          }
          double expected = 0.25 + k * k * (k * k * x[b * h * w + r * w + c] + 2 * upValue);
          assertThat(y[(b * h + r) * w + c]).as("b=%s y=%s x=%s", b, r, c)
              .isCloseTo((float) expected, within(1e-5f));
        }
      }
    }
  }

  // ---------------------------------------------------------------- hand-computed blocks

  private static FeatureMap map(int c, int h, int w, float... v) {
    return new FeatureMap(c, h, w, v);
  }

  @Test
  void conv3x3ZeroPadsTheBorder() {
    // 1 -> 1 channel, all-ones kernel: each output is the sum of its 3x3 neighbourhood.
    float[] ones = new float[9];
    java.util.Arrays.fill(ones, 1f);
    FeatureMap y = ReferenceUNet.conv3x3(map(1, 3, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9), ones, 1);
    assertThat(y.data).containsExactly(12, 21, 16, 27, 45, 33, 24, 39, 28);
    // Kernel with only the top-left tap: out[y][x] = in[y-1][x-1].
    float[] tl = new float[9];
    tl[0] = 2f;
    y = ReferenceUNet.conv3x3(map(1, 2, 3, 1, 2, 3, 4, 5, 6), tl, 1);
    assertThat(y.data).containsExactly(0, 0, 0, 0, 2, 4);
  }

  @Test
  void conv3x3SumsOverInputChannels() {
    // 2 -> 1 channel, centre taps 1 and -1: the difference of the two planes.
    float[] w = new float[18];
    w[4] = 1f;
    w[13] = -1f;
    FeatureMap y = ReferenceUNet.conv3x3(map(2, 1, 2, 5, 7, 1, 2), w, 1);
    assertThat(y.data).containsExactly(4, 5);
  }

  @Test
  void conv1x1AddsBias() {
    FeatureMap y = ReferenceUNet.conv1x1(map(2, 1, 2, 1, 2, 3, 4), new float[] {1, 10, -1, 0},
        new float[] {0.5f, 1f}, 2);
    assertThat(y.data).containsExactly(31.5f, 42.5f, 0f, -1f);
  }

  @Test
  void maxPoolFloorsOddSizes() {
    FeatureMap y = ReferenceUNet.maxPool(map(1, 3, 5,
        1, 9, 2, 3, 7,
        4, 0, 8, 1, 7,
        99, 99, 99, 99, 99), 2);
    assertThat(new int[] {y.h, y.w}).containsExactly(1, 2);
    assertThat(y.data).containsExactly(9, 8);
    FeatureMap s1 = ReferenceUNet.maxPool(map(1, 2, 3, 1, 5, 2, 3, 0, 4), 1);
    assertThat(s1.data).containsExactly(5, 5);
    assertThat(ReferenceUNet.maxPool(map(1, 2, 2, 1, Float.NaN, 2, 3), 2).data[0]).isNaN();
  }

  @Test
  void blurWithReflectPadding() {
    // A constant map stays constant.
    FeatureMap c = ReferenceUNet.blur(map(1, 2, 3, 4, 4, 4, 4, 4, 4), 1);
    assertThat(c.data).containsExactly(4, 4, 4, 4, 4, 4);
    // 1-row-like case: rows [0 16 0 0] repeated on 2 rows. Reflect: index -1 -> 1, 4 -> 2.
    // Horizontal [1 2 1]/4 of [0 16 0 0] with reflect: x0: (16 + 0 + 16)/4 = 8,
    // x1: (0 + 32 + 0)/4 = 8, x2: (16 + 0 + 0)/4 = 4, x3: (0 + 0 + 0)/4 = 0.
    // Vertically both rows are equal, so the vertical pass keeps them.
    FeatureMap y = ReferenceUNet.blur(map(1, 2, 4, 0, 16, 0, 0, 0, 16, 0, 0), 1);
    assertThat(y.data).containsExactly(8, 8, 4, 0, 8, 8, 4, 0);
    // Stride 2 keeps columns 0 and 2, rows 0: floor((n - 1) / 2) + 1.
    FeatureMap s = ReferenceUNet.blur(map(1, 2, 4, 0, 16, 0, 0, 0, 16, 0, 0), 2);
    assertThat(new int[] {s.h, s.w}).containsExactly(1, 2);
    assertThat(s.data).containsExactly(8, 4);
  }

  @Test
  void transposedConvUsesPyTorchWeightLayout() {
    // Cin = 1, Cout = 2: weight[0][co][ky][kx]; one input pixel 2 becomes a 2x2 block per channel.
    float[] w = {1, 2, 3, 4, 10, 20, 30, 40};
    FeatureMap y = ReferenceUNet.transposedConv2x2(map(1, 1, 2, 2, -1), w, new float[] {0, 1}, 2);
    assertThat(new int[] {y.c, y.h, y.w}).containsExactly(2, 2, 4);
    assertThat(y.data).containsExactly(
        2, 4, -1, -2,
        6, 8, -3, -4,
        21, 41, -9, -19,
        61, 81, -29, -39);
  }

  @Test
  void bilinearAlignCorners() {
    // Input [[0, 1], [2, 3]] is the plane 2 * row + col; align_corners samples rows/cols at
    // 0, 1/3, 2/3, 1, so the output is 2 * r / 3 + c / 3.
    FeatureMap y = ReferenceUNet.bilinear2x(map(1, 2, 2, 0, 1, 2, 3));
    for (int r = 0; r < 4; r++) {
      for (int c = 0; c < 4; c++) {
        assertThat(y.data[r * 4 + c]).isCloseTo(2 * r / 3f + c / 3f, within(1e-6f));
      }
    }
    // A 1x1 map is replicated.
    assertThat(ReferenceUNet.bilinear2x(map(1, 1, 1, 7)).data).containsExactly(7, 7, 7, 7);
  }

  @Test
  void padToPutsTheExtraPixelBottomRight() {
    // 2x2 -> 3x5: dx = 3 -> left 1, right 2; dy = 1 -> top 0, bottom 1.
    FeatureMap y = ReferenceUNet.padTo(map(1, 2, 2, 1, 2, 3, 4), 3, 5);
    assertThat(y.data).containsExactly(
        0, 1, 2, 0, 0,
        0, 3, 4, 0, 0,
        0, 0, 0, 0, 0);
    // Negative differences crop like F.pad with negative padding: 1x4 -> 1x1, dx = -3 ->
    // left floor(-3/2) = -2, so column 2 is kept.
    assertThat(ReferenceUNet.padTo(map(1, 1, 4, 1, 2, 3, 4), 1, 1).data).containsExactly(3);
  }

  @Test
  void concatPutsSkipFirst() {
    FeatureMap y = ReferenceUNet.concat(map(1, 1, 2, 1, 2), map(2, 1, 2, 3, 4, 5, 6));
    assertThat(y.c).isEqualTo(3);
    assertThat(y.data).containsExactly(1, 2, 3, 4, 5, 6);
  }

  // ---------------------------------------------------------------- errors

  @Test
  void rejectsWeightsOfAnotherArchitecture() throws IOException {
    StateDict weights = SafeTensors.read(fixture("transposed_d2_w4.safetensors"));
    UNetConfig bilinear =
        UNetConfig.builder().optBaseWidth(4).optDepth(2).optUpsampling(Upsampling.BILINEAR)
            .optTrainingResolution(16).build();
    assertThatThrownBy(() -> ReferenceUNet.create(weights, bilinear))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("misshaped")
        .hasMessageContaining("unexpected: up1.up.weight");
    StateDict missing = weights.toBuilder().remove("outc.conv.bias").build();
    assertThatThrownBy(() -> ReferenceUNet.create(missing))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("missing: outc.conv.bias");
  }

  @Test
  void rejectsBadInputShapes() throws IOException {
    ReferenceUNet net =
        ReferenceUNet.create(SafeTensors.read(fixture("transposed_d2_w4.safetensors")));
    assertThatThrownBy(() -> net.forward(Tensor.zeros(5, 16, 16)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[N, 5, H, W]")
        .hasMessageContaining("[5, 16, 16]");
    assertThatThrownBy(() -> net.forward(Tensor.zeros(1, 3, 16, 16)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 3, 16, 16]");
    assertThatThrownBy(() -> net.forward(Tensor.ofLongs(new long[5 * 16], 1, 5, 4, 4)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("I64");
    assertThatThrownBy(() -> net.forward(Tensor.zeros(1, 5, 3, 16)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[1, 5, 3, 16] is too small")
        .hasMessageContaining("at least 4");
    ReferenceUNet blur =
        ReferenceUNet.create(SafeTensors.read(fixture("transposed_d3_w4_blur.safetensors")));
    assertThat(blur.minimumSize()).isEqualTo(12);
    assertThatThrownBy(() -> blur.forward(Tensor.zeros(1, 5, 11, 16)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 12 for depth 3 with blur-pool");
    assertThat(blur.forward(Tensor.zeros(1, 5, 12, 12)).shape()).containsExactly(1, 3, 12, 12);
  }

  static double maxAbsDiff(Tensor a, Tensor b) {
    float[] x = a.toFloatArray();
    float[] y = b.toFloatArray();
    assertThat(x).hasSameSizeAs(y);
    double m = 0;
    for (int i = 0; i < x.length; i++) {
      double d = Math.abs((double) x[i] - y[i]);
      if (Double.isNaN(d)) {
        return Double.POSITIVE_INFINITY;
      }
      m = Math.max(m, d);
    }
    return m;
  }
}
