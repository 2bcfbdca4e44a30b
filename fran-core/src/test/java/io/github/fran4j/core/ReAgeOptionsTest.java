package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FixedBoxDetector;
import io.github.fran4j.core.pipeline.FullImageDetector;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReAgeOptionsTest {
  @TempDir Path tmp;

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
  void survivesSerialisationAndToBuilderAsAnEqualValue() throws Exception {
    ReAgeOptions o = ReAgeOptions.builder().setModel("m.onnx").optDevice("cuda:1").optThreads(3)
        .optBatchSize(8).optMaxPixels(1000).optFace("auto").optDetector("d.onnx")
        .optLandmarks("l.onnx").optCropResolution(256).optTileSize(128).optMinFace(40)
        .optNoFacePolicy(NoFacePolicy.THROW).build();
    assertThat(roundTrip(o)).isEqualTo(o).hasSameHashCodeAs(o).isNotSameAs(o);
    assertThat(o.toBuilder().build()).isEqualTo(o);
    assertThat(o.toBuilder().optMinFace(41).build()).isNotEqualTo(o);
    assertThat(o.toBuilder().optNoFacePolicy(NoFacePolicy.RETURN_UNCHANGED).build()).isNotEqualTo(o);
    assertThat(o.detector()).contains("d.onnx");
    assertThat(o.wholeImage()).isFalse();
    ReAgeOptions defaults = ReAgeOptions.builder().setModel("m.onnx").build();
    assertThat(defaults.wholeImage()).isTrue();
    assertThat(defaults.minFace()).isEqualTo(24);
    assertThat(defaults.noFacePolicy()).isEqualTo(NoFacePolicy.RETURN_UNCHANGED);
  }

  @Test
  void badOptionsFailWhenSetNamingTheValue() {
    assertThatThrownBy(() -> ReAgeOptions.builder().optFace("left"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("face must be auto, full or x,y,w,h");
    assertThatThrownBy(() -> ReAgeOptions.builder().optDevice("tpu"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tpu");
    assertThatThrownBy(() -> ReAgeOptions.builder().optBatchSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
    assertThatThrownBy(() -> ReAgeOptions.builder().build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("setModel");
    assertThatThrownBy(() -> ReAgeOptions.builder().setModel("m").optLandmarks("l.onnx").build())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("need a detector");
  }

  @Test
  void opensTheWholeImagePathOrTheFacePipelineWithItsOptions() throws Exception {
    Path model = Fixtures.unetWeightsFile("transposed_d2_w4", tmp);
    ReAgeOptions whole = ReAgeOptions.builder().setModel(model.toString()).optFace("full").build();
    BufferedImage img = Fixtures.randomRgbImage(40, 32, 9);
    try (FaceDetector det = whole.openDetector(); ReAger r = whole.open(det);
        ReAger plain = ReAger.load(model)) {
      assertThat(det).isSameAs(FullImageDetector.INSTANCE);
      assertThat(r.pipeline()).isEmpty();
      assertThat(r.reage(img, 30, 70).getRGB(0, 0, 40, 32, null, 0, 40))
          .isEqualTo(plain.reage(img, 30, 70).getRGB(0, 0, 40, 32, null, 0, 40));
    }
    // A 30-pixel box under a 31-pixel minimum is no face; THROW makes that an error.
    ReAgeOptions box = ReAgeOptions.builder().setModel(model.toString()).optFace("2,2,30,30")
        .optMinFace(31).optNoFacePolicy(NoFacePolicy.THROW).build();
    try (FaceDetector det = box.openDetector(); ReAger r = box.open(det)) {
      assertThat(det).isInstanceOf(FixedBoxDetector.class);
      assertThat(r.pipeline()).isPresent();
      assertThatThrownBy(() -> r.reage(img, 30, 70)).isInstanceOf(NoFaceException.class)
          .hasMessageContaining("at least 31 px");
    }
    try (FaceDetector det = box.toBuilder().optMinFace(30).build().openDetector();
        ReAger r = box.toBuilder().optMinFace(30).build().open(det)) {
      assertThat(r.reage(img, 30, 70).getWidth()).isEqualTo(40);
    }
  }

  @Test
  void aDetectorFileWithoutAProviderSaysWhatToAdd() {
    ReAgeOptions o = ReAgeOptions.builder().setModel("m.onnx").optDetector("fr_detect.onnx").build();
    assertThatThrownBy(o::openDetector).isInstanceOf(NoBackendException.class)
        .hasMessageContaining("fr_detect.onnx").hasMessageContaining("fran-onnx");
  }
}
