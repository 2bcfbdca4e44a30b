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
        .optFailOnNoFace(true).optFormat("JPG").optBatchSize(8).build();
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
        .optTileSize(512).optFailOnNoFace(true).optFormat("jpg").optBatchSize(8).build());
    assertThat(back).isNotEqualTo(ReAgeSpec.builder().setModel("m.onnx").setInputAge(30)
        .setTargetAge(70).optFace("10,20,100,120").optDevice("cuda:1").optThreads(3)
        .optTileSize(512).optFailOnNoFace(true).optFormat("jpg").optBatchSize(2).build());
    ReAgeSpec mapped = ReAgeSpec.builder().setModel("m.onnx").setInputAge(30)
        .optAgeMap("ages.png").build();
    assertThat(roundTrip(mapped)).isEqualTo(mapped);
    assertThat(((ReAgeSpec) roundTrip(mapped)).ageMap()).contains("ages.png");
    assertThat(mapped.targetAge()).isNaN();
  }

  private static Object roundTrip(Object o) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    }
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      return in.readObject();
    }
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
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel("m.onnx").setInputAge(30)
        .setTargetAge(70).optAgeMap("ages.png").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> ReAgeSpec.builder().optBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("batch size must be >= 1, got 0");
  }

  @Test
  void validateReadsTheAgeMapOnTheDriverNamingIt() throws Exception {
    Path model = Fixtures.unetWeightsFile("transposed_d2_w4", tmp);
    String missing = tmp.resolve("no-ages.png").toString();
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel(model.toString()).setInputAge(30)
        .optAgeMap(missing).build().validate())
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining(missing);
    Path garbage = java.nio.file.Files.writeString(tmp.resolve("ages.png"), "not an image");
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel(model.toString()).setInputAge(30)
        .optAgeMap(garbage.toString()).build().validate())
        .isInstanceOf(java.io.IOException.class).hasMessageContaining("ages.png");
    Path white = ReAgeJobTest.greyAges(tmp.resolve("white.png"), 255);
    assertThatThrownBy(() -> ReAgeSpec.builder().setModel(model.toString()).setInputAge(30)
        .optAgeMap(white.toString()).build().validate())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("white.png")
        .hasMessageContaining("expected a value in [0, 150");
    Path grey = ReAgeJobTest.greyAges(tmp.resolve("grey.png"), 80);
    ReAgeSpec.builder().setModel(model.toString()).setInputAge(30).optAgeMap(grey.toString())
        .build().validate();
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
