package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ReAger#reage(List)} on a real tiny U-Net (pure-Java backend): the batched call gives
 * each image's pixels of the one-image call bit for bit, and really shares model calls.
 */
class ReAgerBatchTest {
  @TempDir static Path dir;
  private static ReAger owner;

  @BeforeAll
  static void load() throws Exception {
    owner = ReAger.load(Fixtures.unetWeightsFile("transposed_d2_w4", dir));
  }

  @AfterAll
  static void close() {
    owner.close();
  }

  /** The loaded model, recording the batch size of every call; closing it leaves the model open. */
  private static final class Recording implements Generator {
    final List<Integer> batches = new ArrayList<>();
    private final Generator g = owner.generator();

    @Override
    public synchronized Tensor predict(Tensor input) {
      batches.add(input.dim(0));
      return g.predict(input);
    }

    @Override
    public Optional<UNetConfig> config() {
      return g.config();
    }

    @Override
    public int sizeMultiple() {
      return g.sizeMultiple();
    }

    @Override
    public int resolution() {
      return g.resolution();
    }

    @Override
    public String describe() {
      return g.describe();
    }

    @Override
    public void close() {}
  }

  private static int[] pixels(BufferedImage img) {
    BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_ARGB);
    rgb.createGraphics().drawImage(img, 0, 0, null);
    return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData();
  }

  @Test
  void wholeImagesGroupBySizeAndEqualTheOneImageCall() throws Exception {
    Recording rec = new Recording();
    try (ReAger r = ReAger.builder().setGenerator(rec).optBatchSize(3).build()) {
      List<ReAgeRequest> reqs = new ArrayList<>();
      // Five 24x20 images (batches of 3 and 2) around two of another size, with different ages.
      int[][] sizes = {{24, 20}, {24, 20}, {30, 18}, {24, 20}, {24, 20}, {30, 18}, {24, 20}};
      for (int i = 0; i < sizes.length; i++) {
        reqs.add(ReAgeRequest.of(Fixtures.randomRgbImage(sizes[i][0], sizes[i][1], 100 + i),
            20 + i, 80 - 5 * i));
      }
      List<BufferedImage> batched = r.reage(reqs);
      assertThat(rec.batches).containsExactly(3, 2, 2);

      rec.batches.clear();
      for (int i = 0; i < reqs.size(); i++) {
        BufferedImage one = r.reage(reqs.get(i).image(), 20 + i, 80 - 5 * i);
        assertThat(batched.get(i).getWidth()).isEqualTo(sizes[i][0]);
        assertThat(pixels(batched.get(i))).as("image %s", i).isEqualTo(pixels(one));
        assertThat(pixels(one)).as("image %s changed", i)
            .isNotEqualTo(pixels(reqs.get(i).image()));
      }
      assertThat(rec.batches).as("one call per image alone").hasSize(reqs.size());
    }
  }

  @Test
  void facePipelineBatchesTheCropsOfSeveralImagesAndUsesTheGivenFaces() throws Exception {
    Recording rec = new Recording();
    AtomicInteger detections = new AtomicInteger();
    FaceDetector counting = image -> {
      detections.incrementAndGet();
      return List.of(Face.of(8, 6, 40, 40, 0.9));
    };
    try (ReAger r = ReAger.builder().setGenerator(rec).optBatchSize(4)
        .optFacePipeline(FacePipeline.builder().optFaceDetector(counting).optCropResolution(32)
            .optBatchSize(4).build())
        .build()) {
      List<ReAgeRequest> reqs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        BufferedImage img = Fixtures.randomRgbImage(64, 56, 200 + i);
        List<Face> faces = r.pipeline().orElseThrow().detect(img);
        reqs.add(ReAgeRequest.of(img, AgeMap.constant(30), AgeMap.constant(60 + i)).withFaces(faces));
      }
      assertThat(detections.get()).isEqualTo(3);
      List<BufferedImage> batched = r.reage(reqs);
      assertThat(detections.get()).as("given faces are not detected again").isEqualTo(3);
      assertThat(rec.batches).as("three crops in one model call").containsExactly(3);

      for (int i = 0; i < reqs.size(); i++) {
        assertThat(pixels(batched.get(i))).as("image %s", i)
            .isEqualTo(pixels(r.reage(reqs.get(i).image(), 30, 60 + i)));
      }
      assertThat(detections.get()).as("requests without faces are detected").isEqualTo(6);
    }
  }

  @Test
  void badBatchesAreRefused() throws Exception {
    try (ReAger r = ReAger.builder().setGenerator(new Recording()).optMaxPixels(1000).build()) {
      BufferedImage small = Fixtures.randomRgbImage(20, 20, 1);
      assertThatThrownBy(() -> r.reage(List.of())).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("no requests");
      assertThatThrownBy(() -> r.reage(List.of(ReAgeRequest.of(small, 30, 60),
          ReAgeRequest.of(Fixtures.randomRgbImage(40, 40, 2), 30, 60))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pixel limit of 1,000");
      assertThatThrownBy(() -> r.reage(List.of(ReAgeRequest.of(small, 30, 60)
          .withFaces(List.of(Face.of(0, 0, 10, 10, 1))))))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no face pipeline");
    }
  }
}
