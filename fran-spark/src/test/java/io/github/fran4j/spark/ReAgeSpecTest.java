package io.github.fran4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReAgeSpecTest {
  @TempDir Path tmp;

  @Test
  void survivesJavaSerialisationAsAnEqualValue() throws Exception {
    ReAgeSpec spec = ReAgeSpec.builder().setModel("m.onnx").setInputAge(30).setTargetAge(70)
        .optFace("10,20,100,120").optDevice("cuda:1").optThreads(3).optTileSize(512)
        .optFailOnNoFace(true).optFormat("JPG").build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(spec);
    }
    Object back;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = in.readObject();
    }
    assertThat(back).isEqualTo(spec).hasSameHashCodeAs(spec).isNotSameAs(spec);
    assertThat(((ReAgeSpec) back).format()).contains("jpg");
    assertThat(back).isNotEqualTo(ReAgeSpec.builder().setModel("m.onnx").setInputAge(30)
        .setTargetAge(71).optFace("10,20,100,120").optDevice("cuda:1").optThreads(3)
        .optTileSize(512).optFailOnNoFace(true).optFormat("jpg").build());
  }

  @Test
  void badOptionsFailWhenSetNamingTheValue() {
    assertThatThrownBy(() -> ReAgeSpec.builder().optFace("left"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("face must be auto, full or x,y,w,h");
    assertThatThrownBy(() -> ReAgeSpec.builder().optFormat("tiff"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'tiff'");
    assertThatThrownBy(() -> ReAgeSpec.builder().setTargetAge(200))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("200");
    assertThatThrownBy(() -> ReAgeSpec.builder().optDevice("tpu"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tpu");
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel("m.onnx").setInputAge(30).build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("setTargetAge");
  }

  @Test
  void validateNamesAMissingFileAndLoadsTheModel() throws Exception {
    String missing = tmp.resolve("nope.onnx").toString();
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel(missing).setInputAge(30).setTargetAge(70)
        .build().validate())
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing);
    Path model = Fixtures.unetWeightsFile("transposed_d2_w4", tmp);
    String detector = tmp.resolve("fr_detect.onnx").toString();
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel(model.toString()).setInputAge(30)
        .setTargetAge(70).optDetector(detector).build().validate())
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining(detector);
    ReAgeSpec.builder().setModel(model.toString()).setInputAge(30).setTargetAge(70).build().validate();
  }
}
