package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A bad {@code fran.unet_config} in a {@code .safetensors} file: malformed JSON, a field of the
 * wrong type, an impossible value, a missing field the weights disagree with. Each error names the
 * file, the key, the field and what was expected (before: no file, Gson's words, "For input string",
 * and 4.5 or "maybe" silently accepted as 4 and false).
 */
class ConfigMetadataMessagesTest {
  private static StateDict weights;

  @TempDir Path tmp;

  @BeforeAll
  static void tiny() {
    weights = RandomUNetWeights.create(UNetConfig.builder().optBaseWidth(4).optDepth(2)
        .optTrainingResolution(32).build(), 1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "{|fran.unet_config is not valid JSON",
      "[1,2]|fran.unet_config must be a JSON object, found [1,2]",
      "null|fran.unet_config must be a JSON object, found null",
      "{\"base_width\":\"wide\",\"depth\":2}|field 'base_width' must be an integer, found \"wide\"",
      "{\"base_width\":4.5,\"depth\":2}|field 'base_width' must be an integer, found 4.5",
      "{\"base_width\":{\"x\":1},\"depth\":2}|field 'base_width' must be an integer, found {\"x\":1}",
      "{\"base_width\":4,\"depth\":2,\"blur_pool\":\"maybe\"}|field 'blur_pool' must be true or false, found \"maybe\"",
      "{\"base_width\":4,\"depth\":2,\"upsampling\":7}|field 'upsampling' must be a string, found 7",
      "{\"base_width\":4,\"depth\":2,\"upsampling\":\"cubic\"}|field 'upsampling' is 'cubic', expected 'transposed' or 'bilinear'",
      "{\"base_width\":-3,\"depth\":2}|field 'base_width' is invalid: baseWidth must be even in 2..1024, got -3",
      "{\"base_width\":4,\"depth\":99}|field 'depth' is invalid: depth must be in 1..6, got 99",
      "{\"base_width\":4,\"depth\":2,\"training_resolution\":0}|field 'training_resolution' is invalid: trainingResolution must be positive, got 0",
      "{\"base_width\":4,\"depth\":2,\"training_resolution\":30}|describes an impossible U-Net",
      "{\"version\":\"one\",\"base_width\":4,\"depth\":2}|field 'version' must be an integer",
      "{\"version\":2,\"base_width\":4,\"depth\":2}|has version 2, expected 1",
      "{\"depth\":2}|base_width (64), upsampling (\"transposed\"), blur_pool (false), training_resolution (256), so the reference defaults were taken, and weights do not match",
  })
  void aBadConfigNamesTheFileTheFieldAndWhatWasExpected(String json, String expected)
      throws Exception {
    Path f = tmp.resolve("bad.safetensors");
    SafeTensors.write(weights.toBuilder().putMetadata(UNetConfig.METADATA_KEY, json).build(), f);
    assertThatThrownBy(() -> ReAger.load(f).close())
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith(f + ": ")
        .hasMessageContaining(expected);
    // The same through the parser with a source name, as ONNX metadata is read.
    if (!expected.contains("weights do not match")) {
      assertThatThrownBy(() -> UNetConfig.fromJson(json, "m.onnx"))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageStartingWith("m.onnx: fran.unet_config")
          .hasMessageContaining(expected);
    }
  }

  @Test
  void aGoodConfigStillParsesWithAndWithoutASource() throws Exception {
    UNetConfig c = UNetConfig.builder().optBaseWidth(8).optDepth(3).optBlurPool(true).build();
    org.assertj.core.api.Assertions.assertThat(UNetConfig.fromJson(c.toJson(), "x")).isEqualTo(c);
    org.assertj.core.api.Assertions.assertThat(UNetConfig.fromJson(c.toJson())).isEqualTo(c);
  }
}
