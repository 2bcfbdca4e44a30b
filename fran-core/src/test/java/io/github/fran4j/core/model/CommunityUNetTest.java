package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.model.ReferenceUNet.FeatureMap;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.StateDict;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Checks the community family ({@link UNetFamily#COMMUNITY}): its configuration is derived from a
 * plain PyTorch state dict, bad state dicts are refused naming the tensor, and the pure-Java
 * forward pass matches real PyTorch (fixtures by {@code make_community_fixtures.py}).
 */
class CommunityUNetTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"community_w4, 4, 4, 121807", "community_w8_d2, 8, 2, 29627"})
  void configIsDerivedFromThePlainStateDict(String name, int width, int depth, long params)
      throws ModelFormatException {
    StateDict weights = Fixtures.communityWeights(name);
    assertThat(weights.metadata()).doesNotContainKey(UNetConfig.METADATA_KEY);
    UNetConfig c = UNetConfig.fromStateDict(weights);
    assertThat(c.family()).isEqualTo(UNetFamily.COMMUNITY);
    assertThat(c.baseWidth()).isEqualTo(width);
    assertThat(c.depth()).isEqualTo(depth);
    assertThat(c.inChannels()).isEqualTo(5);
    assertThat(c.outChannels()).isEqualTo(3);
    assertThat(c.sizeMultiple()).isEqualTo(1 << depth);
    assertThat(c.minimumSize()).isEqualTo(2 << depth);
    // PyTorch's sum(p.numel() for p in model.parameters()), printed by the fixture script.
    assertThat(c.weightLayout().trainableParameterCount()).isEqualTo(params);
    // The layout lists the file's tensors in the file's (state_dict) order.
    assertThat(c.weightLayout().parameters().stream().map(UNetLayout.Parameter::name).toList())
        .containsExactlyElementsOf(weights.names());
  }

  @Test
  void familyRoundTripsThroughJsonAndReferenceJsonIsUnchanged() throws ModelFormatException {
    UNetConfig c = UNetConfig.builder().optFamily(UNetFamily.COMMUNITY).optBaseWidth(8).build();
    assertThat(c.toJson()).contains("\"family\":\"community\"");
    assertThat(UNetConfig.fromJson(c.toJson())).isEqualTo(c);
    assertThat(UNetConfig.reference().toJson()).doesNotContain("family");
    assertThat(UNetConfig.fromJson(UNetConfig.reference().toJson()).family())
        .isEqualTo(UNetFamily.REFERENCE);
    assertThatThrownBy(() -> UNetConfig.fromJson("{\"family\":\"other\"}"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'other'").hasMessageContaining("[reference, community]");
  }

  @Test
  void communityRefusesReferenceOnlyOptionsAndLayouts() {
    assertThatThrownBy(() -> UNetConfig.builder().optFamily(UNetFamily.COMMUNITY)
        .optUpsampling(Upsampling.BILINEAR).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bilinear");
    assertThatThrownBy(() -> UNetConfig.builder().optFamily(UNetFamily.COMMUNITY)
        .optBlurPool(true).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blurPool");
    UNetConfig c = UNetConfig.builder().optFamily(UNetFamily.COMMUNITY).build();
    assertThatThrownBy(c::layout).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("community");
    assertThatThrownBy(() -> UNetConfig.reference().communityLayout())
        .isInstanceOf(IllegalStateException.class);
    assertThat(c.weightLayout()).isInstanceOf(CommunityUNetLayout.class);
  }

  @Test
  void missingExtraAndMisshapedTensorsAreNamed() {
    StateDict good = Fixtures.communityWeights("community_w8_d2");
    StateDict missing = good.toBuilder().remove("up2.blur_upsample.1.filt").build();
    assertThatThrownBy(() -> ReferenceUNet.create(missing))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("1 missing: up2.blur_upsample.1.filt[8, 1, 4, 4]");
    StateDict extra = good.toBuilder()
        .put("down3.layer.9.weight", Tensor.ofFloats(new float[1], 1)).build();
    assertThatThrownBy(() -> ReferenceUNet.create(extra))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("1 unexpected: down3.layer.9.weight");
    StateDict misshaped = good.toBuilder()
        .put("down1.layer.4.bias", Tensor.ofFloats(new float[15], 15)).build();
    assertThatThrownBy(() -> UNetConfig.fromStateDict(misshaped))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("misshaped: down1.layer.4.bias is [15], expected [16]");
    StateDict noFinal = good.toBuilder().remove("final_conv.weight").build();
    assertThatThrownBy(() -> UNetConfig.fromStateDict(noFinal))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'final_conv.weight' is missing");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"community_w4, 1", "community_w8_d2, 1"})
  void forwardMatchesPyTorch(String name, int multiples) throws ModelFormatException {
    ReferenceUNet net = ReferenceUNet.create(Fixtures.communityWeights(name));
    StateDict io = Fixtures.communityIo(name);
    int checked = 0;
    for (String key : io.names()) {
      Tensor input = key.startsWith("input.") ? io.get(key) : null;
      if (input == null || input.dim(2) % net.config().sizeMultiple() != 0
          || input.dim(3) % net.config().sizeMultiple() != 0) {
        continue;
      }
      Tensor expected = io.get("output." + key.substring("input.".length()));
      Tensor actual = net.forward(input);
      assertThat(actual.shape()).isEqualTo(expected.shape());
      assertThat(Fixtures.maxAbsDiff(actual, expected)).as("%s %s", name, key)
          .isLessThan(Fixtures.UNET_TOLERANCE);
      checked++;
    }
    assertThat(checked).isEqualTo(multiples);
  }

  @Test
  void inputThatIsNotAMultipleIsRefusedByTheNetwork() throws ModelFormatException {
    ReferenceUNet net = ReferenceUNet.create(Fixtures.communityWeights("community_w4"));
    assertThatThrownBy(() -> net.forward(Tensor.wrap(new float[5 * 40 * 32], 1, 5, 40, 32)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multiples of 2^depth = 16");
    assertThatThrownBy(() -> net.forward(Tensor.wrap(new float[5 * 16 * 32], 1, 5, 16, 32)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32");
  }

  /**
   * ReAger.load on the plain .pth, at sizes the model cannot run directly (72x56 and 18x14): it
   * pads, runs and crops as PyTorch did in the fixture script.
   */
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"community_w4, input.72x56", "community_w8_d2, input.18x14"})
  void reagerLoadsThePthAndMatchesPyTorchAtAnOddSize(String name, String key) throws IOException {
    StateDict io = Fixtures.communityIo(name);
    Tensor input = io.get(key);
    float[] expected = io.get("output." + key.substring("input.".length())).toFloatArray();
    int n = input.dim(0);
    int h = input.dim(2);
    int w = input.dim(3);
    float[] x = input.toFloatArray();
    try (ReAger reager = ReAger.load(Fixtures.communityWeightsFile(name))) {
      assertThat(reager.generator().config().orElseThrow().family())
          .isEqualTo(UNetFamily.COMMUNITY);
      for (int b = 0; b < n; b++) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int base = b * 5 * h * w;
        for (int y = 0; y < h; y++) {
          for (int xx = 0; xx < w; xx++) {
            int p = y * w + xx;
            int r = Math.round(x[base + p] * 255);
            int g = Math.round(x[base + h * w + p] * 255);
            int bl = Math.round(x[base + 2 * h * w + p] * 255);
            img.setRGB(xx, y, (r << 16) | (g << 8) | bl);
          }
        }
        assertThat(x[base + 3 * h * w]).isEqualTo(0.30f);
        assertThat(x[base + 4 * h * w]).isEqualTo(0.70f);
        float[] delta = reager.predictDeltas(PlanarImage.fromBufferedImage(img),
            AgeMap.constant(30), List.of(AgeMap.constant(70))).get(0);
        double max = 0;
        for (int i = 0; i < delta.length; i++) {
          max = Math.max(max, Math.abs(delta[i] - expected[b * 3 * h * w + i]));
        }
        assertThat(max).as("%s %s sample %s", name, key, b).isLessThan(Fixtures.UNET_TOLERANCE);
      }
    }
  }

  @Test
  void blurPoolMatchesHandComputedValues() {
    // One 3x3 channel, a filter with a single 1 at (row 0, col 0): with reflection padding 1
    // before, output (oy, ox) reads input (reflect(s*oy - 1), reflect(s*ox - 1)).
    float[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] filt = new float[16];
    filt[0] = 1;
    FeatureMap y = CommunityUNet.blurPool(new FeatureMap(1, 3, 3, in), filt, 1);
    // reflect(-1) = 1, so the first row/column read row/column 1.
    assertThat(y.data).containsExactly(5, 4, 5, 2, 1, 2, 5, 4, 5);
    // A filter with its 1 at (3, 3) reads 2 after: reflect(3) = 1, reflect(4) = 0 for n = 3.
    float[] last = new float[16];
    last[15] = 1;
    FeatureMap z = CommunityUNet.blurPool(new FeatureMap(1, 3, 3, in), last, 2);
    assertThat(z.h).isEqualTo(2);
    // (oy, ox) = (0, 0) reads (2, 2) = 9; (0, 1) reads (2, reflect(4) = 0) = 7; (1, 0): (0, 2).
    assertThat(z.data).containsExactly(9, 7, 3, 1);
    // The standard filter sums to 1, so a constant map stays constant.
    float[] std = new float[16];
    float[] a = {1, 3, 3, 1};
    for (int i = 0; i < 16; i++) {
      std[i] = a[i / 4] * a[i % 4] / 64f;
    }
    float[] ones = new float[16];
    java.util.Arrays.fill(ones, 2f);
    FeatureMap c = CommunityUNet.blurPool(new FeatureMap(1, 4, 4, ones), std, 2);
    for (float v : c.data) {
      assertThat((double) v).isCloseTo(2.0, within(1e-6));
    }
  }
}
