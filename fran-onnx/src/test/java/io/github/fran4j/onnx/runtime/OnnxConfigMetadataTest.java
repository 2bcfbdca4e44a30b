package io.github.fran4j.onnx.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.TestModels;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad {@code fran.unet_config} in an ONNX model's metadata names the model, the key, the field
 * and what was expected (before: "invalid UNetConfig JSON" with no model name, or a wrong type
 * silently truncated).
 */
class OnnxConfigMetadataTest {
  private static final BackendOptions CPU =
      BackendOptions.builder().optDevice(Device.CPU).optThreads(1).build();
  private static UNetConfig cfg;
  private static StateDict weights;

  @BeforeAll
  static void tinyModel() {
    cfg = UNetConfig.builder().optBaseWidth(4).optDepth(2).optTrainingResolution(16).build();
    weights = RandomUNetWeights.create(cfg, 11);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{\"base_width\":4|fran.unet_config is not valid JSON",
      "\"a string\"|fran.unet_config must be a JSON object",
      "{\"in_channels\":\"five\"}|field 'in_channels' must be an integer, found \"five\"",
      "{\"in_channels\":5.5}|field 'in_channels' must be an integer, found 5.5",
      "{\"blur_pool\":1}|field 'blur_pool' must be true or false, found 1",
      "{\"in_channels\":0}|field 'in_channels' is invalid: inChannels must be >= 1, got 0",
      "{\"family\":\"mystery\"}|field 'family' is invalid",
      "{\"depth\":2,\"training_resolution\":18}|describes an impossible U-Net",
  })
  void aBadConfigNamesTheModelTheFieldAndWhatWasExpected(String json, String expected)
      throws Exception {
    byte[] bad = TestModels.withMetadata(weights, cfg, UNetConfig.METADATA_KEY, json);
    assertThatThrownBy(() -> OnnxGenerator.open(bad, "bad.onnx", CPU).close())
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("bad.onnx: fran.unet_config")
        .hasMessageContaining(expected);
  }
}
