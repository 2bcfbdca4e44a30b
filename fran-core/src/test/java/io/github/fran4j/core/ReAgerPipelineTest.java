package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.spi.FakeGenerator;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReAgerPipelineTest {

  private static BufferedImage noise(int w, int h) {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Random r = new Random(5);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, r.nextInt() & 0xffffff);
      }
    }
    return img;
  }

  @Test
  void faceBoxReagesOnlyTheBox() throws Exception {
    BufferedImage img = noise(200, 150);
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(16)).optFaceBox(50, 30, 64, 64).build()) {
      assertThat(r.pipeline()).isPresent();
      BufferedImage out = r.reage(img, 20, 80);
      int changed = 0;
      for (int y = 0; y < 150; y++) {
        for (int x = 0; x < 200; x++) {
          boolean inside = x >= 50 && x < 114 && y >= 30 && y < 94;
          if (!inside) {
            assertThat(out.getRGB(x, y)).isEqualTo(img.getRGB(x, y));
          } else if (out.getRGB(x, y) != img.getRGB(x, y)) {
            changed++;
          }
        }
      }
      assertThat(changed).isGreaterThan(64 * 64 / 2);
    }
  }

  @Test
  void sweepWithADetectorDetectsOnce() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    FaceDetector det = image -> {
      calls.incrementAndGet();
      return List.of(Face.of(10, 10, 100, 100, 0.9));
    };
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(16)).optFaceDetector(det).build()) {
      List<BufferedImage> outs = r.sweep(noise(160, 120), 30, 20, 40, 60, 80, 100);
      assertThat(outs).hasSize(5);
      assertThat(calls.get()).isEqualTo(1);
    }
  }

  @Test
  void noFacePolicyThrowAndPixelLimit() throws Exception {
    FaceDetector none = image -> List.of();
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(16)).optFaceDetector(none)
        .optNoFacePolicy(NoFacePolicy.THROW).build()) {
      assertThatThrownBy(() -> r.reage(noise(32, 32), 30, 60)).isInstanceOf(NoFaceException.class);
    }
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(16)).optMaxPixels(100).build()) {
      assertThat(r.pipeline()).isEmpty();
      assertThatThrownBy(() -> r.reage(noise(11, 10), 30, 60))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixel limit of 100");
    }
  }

  @Test
  void faceOptionsWithoutTheFacePipelineAreRefused() {
    assertThatThrownBy(() -> ReAger.builder().setGenerator(new FakeGenerator(16))
        .optMemoryBudget(1 << 20).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("optMemoryBudget only applies to the face pipeline")
        .hasMessageContaining("choose it with optFaceDetector, optFaceBox or optFacePipeline");
    assertThatThrownBy(() -> ReAger.builder().setGenerator(new FakeGenerator(16))
        .optNoFacePolicy(NoFacePolicy.THROW).optMemoryBudget(1 << 20).build())
        .hasMessageStartingWith("optNoFacePolicy and optMemoryBudget only apply");
    assertThatThrownBy(() -> ReAger.builder().setGenerator(new FakeGenerator(16))
        .optFacePipeline(FacePipeline.builder().build()).optFaceBox(0, 0, 8, 8).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("optFacePipeline(FacePipeline) cannot be combined with");
  }
}
