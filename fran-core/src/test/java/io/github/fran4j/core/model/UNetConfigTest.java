package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class UNetConfigTest {

  /** A state dict of zeros with exactly the layout's names and shapes. */
  static StateDict zeros(UNetConfig c) {
    StateDict.Builder b = StateDict.builder();
    for (UNetLayout.Parameter p : c.layout().parameters()) {
      b.put(p.name(), p.dtype().isFloating() ? Tensor.zeros(p.shape())
          : Tensor.ofLongs(new long[] {0}, p.shape()));
    }
    return b.build();
  }

  @Test
  void referenceDefaults() {
    UNetConfig c = UNetConfig.reference();
    assertThat(c.inChannels()).isEqualTo(5);
    assertThat(c.outChannels()).isEqualTo(3);
    assertThat(c.baseWidth()).isEqualTo(64);
    assertThat(c.depth()).isEqualTo(4);
    assertThat(c.upsampling()).isEqualTo(Upsampling.TRANSPOSED);
    assertThat(c.sizeMultiple()).isEqualTo(16);
  }

  @Test
  void referenceHasThirtyOneMillionParametersAndPyTorchNames() {
    UNetLayout l = UNetConfig.reference().layout();
    // fran-reference.md: 31.0M parameters at width 64.
    assertThat(l.trainableParameterCount()).isBetween(30_950_000L, 31_049_999L);
    assertThat(l.parameters().get(0).name()).isEqualTo("inc.double_conv.0.weight");
    assertThat(l.parameters().get(0).shape()).containsExactly(64, 5, 3, 3);
    assertThat(l.parameters().get(1).name()).isEqualTo("inc.double_conv.1.weight");
    assertThat(l.parameters()).extracting(UNetLayout.Parameter::name)
        .contains("down1.maxpool_conv.1.double_conv.0.weight", "up1.up.weight", "up1.up.bias",
            "up1.conv.double_conv.0.weight", "outc.conv.weight", "outc.conv.bias",
            "inc.double_conv.4.num_batches_tracked");
    UNetLayout.Parameter up1 = l.parameters().stream()
        .filter(p -> p.name().equals("up1.up.weight")).findFirst().orElseThrow();
    assertThat(up1.shape()).containsExactly(1024, 512, 2, 2);
  }

  @Test
  void bilinearVariantHalvesTheBottleneckAndHasNoUpWeights() {
    UNetLayout l = UNetConfig.builder().optUpsampling(Upsampling.BILINEAR).build().layout();
    assertThat(l.down(4).out()).isEqualTo(512);
    assertThat(l.upConv(1)).isEqualTo(
        new UNetLayout.DoubleConv("up1.conv", 1024, 512, 256));
    assertThat(l.upConv(4)).isEqualTo(new UNetLayout.DoubleConv("up4.conv", 128, 64, 64));
    assertThat(l.parameters()).noneMatch(p -> p.name().contains(".up."));
  }

  @Property(tries = 30)
  void jsonRoundTrips(
      @ForAll @IntRange(min = 1, max = 64) int halfWidth,
      @ForAll @IntRange(min = 1, max = 5) int depth,
      @ForAll boolean bilinear,
      @ForAll boolean blur) throws ModelFormatException {
    UNetConfig c = UNetConfig.builder().optBaseWidth(2 * halfWidth).optDepth(depth)
        .optUpsampling(bilinear ? Upsampling.BILINEAR : Upsampling.TRANSPOSED)
        .optBlurPool(blur).optTrainingResolution(64 << depth).build();
    assertThat(UNetConfig.fromJson(c.toJson())).isEqualTo(c);
  }

  @Test
  void jsonErrorsAreSpecific() {
    assertThatThrownBy(() -> UNetConfig.fromJson("{\"version\": 9}"))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("version 9");
    assertThatThrownBy(() -> UNetConfig.fromJson("{nope"))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("fran.unet_config is not valid JSON");
    assertThatThrownBy(() -> UNetConfig.fromJson("{\"upsampling\": \"nearest\"}"))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("nearest");
    assertThatThrownBy(() -> UNetConfig.fromJson("{\"depth\": 0}"))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("depth");
  }

  @Property(tries = 12)
  void derivableFromStateDictShapes(
      @ForAll @IntRange(min = 1, max = 8) int halfWidth,
      @ForAll @IntRange(min = 1, max = 4) int depth,
      @ForAll boolean bilinear) throws ModelFormatException {
    UNetConfig c = UNetConfig.builder().optBaseWidth(2 * halfWidth).optDepth(depth)
        .optUpsampling(bilinear ? Upsampling.BILINEAR : Upsampling.TRANSPOSED).build();
    assertThat(UNetConfig.fromStateDict(zeros(c))).isEqualTo(c);
  }

  @Test
  void metadataConfigWinsAndIsChecked() throws ModelFormatException {
    UNetConfig c = UNetConfig.builder().optBaseWidth(4).optDepth(2).optBlurPool(true)
        .optTrainingResolution(32).build();
    StateDict sd = zeros(c).toBuilder().putMetadata(UNetConfig.METADATA_KEY, c.toJson()).build();
    assertThat(UNetConfig.fromStateDict(sd)).isEqualTo(c);
    UNetConfig other = c.toBuilder().optBaseWidth(8).build();
    StateDict lying = zeros(c).toBuilder()
        .putMetadata(UNetConfig.METADATA_KEY, other.toJson()).build();
    assertThatThrownBy(() -> UNetConfig.fromStateDict(lying))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("misshaped");
  }

  @Test
  void missingMisshapedAndUnexpectedTensorsAreListed() {
    UNetConfig c = UNetConfig.builder().optBaseWidth(4).optDepth(2).build();
    StateDict sd = zeros(c).toBuilder()
        .remove("up1.up.bias")
        .put("outc.conv.weight", Tensor.zeros(3, 4, 3, 3))
        .put("extra.weight", Tensor.zeros(1))
        .build();
    assertThatThrownBy(() -> c.layout().check(sd))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("1 missing: up1.up.bias[8]")
        .hasMessageContaining("outc.conv.weight is [3, 4, 3, 3], expected [3, 4, 1, 1]")
        .hasMessageContaining("1 unexpected: extra.weight");
    assertThatThrownBy(() -> UNetConfig.fromStateDict(StateDict.of(java.util.Map.of())))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("not a FRAN U-Net");
  }

  @Test
  void builderRejectsBadValues() {
    assertThatThrownBy(() -> UNetConfig.builder().optBaseWidth(3))
        .hasMessageContaining("baseWidth must be even");
    assertThatThrownBy(() -> UNetConfig.builder().optDepth(2).optTrainingResolution(30).build())
        .hasMessageContaining("multiple of 2^depth = 4");
  }
}
