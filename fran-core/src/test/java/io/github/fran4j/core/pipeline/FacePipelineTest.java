package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.image.AgeMap;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FacePipelineTest {
  private static final float[] K = {0.5f, 0.3f, -0.5f};

  private static BufferedImage photo() throws Exception {
    try (var in = FacePipelineTest.class.getResourceAsStream("/photos/grace_hopper_512x512.jpg")) {
      return javax.imageio.ImageIO.read(in);
    }
  }

  /** A detector that returns given faces and counts its calls. */
  static final class ListDetector implements FaceDetector {
    final List<Face> faces;
    final AtomicInteger calls = new AtomicInteger();

    ListDetector(List<Face> faces) {
      this.faces = faces;
    }

    @Override
    public List<Face> detect(BufferedImage image) {
      calls.incrementAndGet();
      return faces;
    }
  }

  @Test
  void onlyTheCropChangesAndTheCentreGetsTheFullDelta() throws Exception {
    BufferedImage img = photo();
    BufferedImage in = WorkingImages.toWorking(img);
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().optFaceBox(200, 100, 128, 128).build();
    BufferedImage out = p.reage(g, img, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(g.calls).hasSize(1);
    assertThat(g.calls.get(0)).containsExactly(1, 5, 64, 64);
    for (int y = 0; y < 512; y++) {
      for (int x = 0; x < 512; x++) {
        boolean inside = x >= 200 && x < 328 && y >= 100 && y < 228;
        if (!inside) {
          assertThat(out.getRGB(x, y)).as("(%s, %s)", x, y).isEqualTo(in.getRGB(x, y));
        }
      }
    }
    // Centre of the box: mask 1, target 70 -> delta = k * 0.4: red +0.2, green +0.12, blue -0.2.
    int x = 264;
    int y = 164;
    int before = in.getRGB(x, y);
    int after = out.getRGB(x, y);
    assertThat((after >> 16) & 0xff).isEqualTo(Math.min(255, Math.round(((before >> 16) & 0xff) + 0.2f * 255)));
    assertThat((after >> 8) & 0xff).isEqualTo(Math.min(255, Math.round(((before >> 8) & 0xff) + 0.12f * 255)));
    assertThat(after & 0xff).isEqualTo(Math.max(0, Math.round((before & 0xff) - 0.2f * 255)));
  }

  @Test
  void sameInputAndTargetAgeLeavesTheImageBitIdentical() throws Exception {
    BufferedImage img = photo();
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().optFaceBox(100, 100, 300, 300).build();
    BufferedImage out = p.reage(g, img, AgeMap.constant(40), AgeMap.constant(40));
    BufferedImage in = WorkingImages.toWorking(img);
    for (int y = 0; y < 512; y += 3) {
      for (int x = 0; x < 512; x += 3) {
        assertThat(out.getRGB(x, y)).isEqualTo(in.getRGB(x, y));
      }
    }
  }

  @Test
  void perPixelTargetAgesOnlyChangeWhereTheyDifferFromTheInput() throws Exception {
    BufferedImage img = photo();
    BufferedImage in = WorkingImages.toWorking(img);
    float[] ages = new float[512 * 512];
    for (int y = 0; y < 512; y++) {
      for (int x = 0; x < 512; x++) {
        ages[y * 512 + x] = x < 256 ? 80 : 30; // left half older, right half unchanged
      }
    }
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 128);
    FacePipeline p = FacePipeline.builder().optFaceBox(128, 128, 256, 256).build();
    BufferedImage out = p.reage(g, img, AgeMap.constant(30), AgeMap.perPixel(ages, 512, 512));
    // Well inside the right half the age planes agree: no change. Inside the left half: older.
    assertThat(out.getRGB(330, 256)).isEqualTo(in.getRGB(330, 256));
    assertThat((out.getRGB(200, 256) >> 16) & 0xff).isGreaterThan((in.getRGB(200, 256) >> 16) & 0xff);
  }

  @Test
  void tiledCropMatchesTheUntiledCropForAConstantDelta() throws Exception {
    BufferedImage img = photo();
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 128);
    FacePipeline whole = FacePipeline.builder().optFaceBox(64, 64, 384, 384).optCropResolution(256).build();
    FacePipeline tiled = FacePipeline.builder().optFaceBox(64, 64, 384, 384).optCropResolution(256)
        .optTileSize(96).optTileOverlap(24).build();
    BufferedImage a = whole.reage(g, img, AgeMap.constant(20), AgeMap.constant(60));
    int callsWhole = g.calls.size();
    BufferedImage b = tiled.reage(g, img, AgeMap.constant(20), AgeMap.constant(60));
    assertThat(g.calls.size() - callsWhole).isGreaterThan(4);
    // Blending divides weighted sums, so a level may flip where the exact value is near .5.
    for (int y = 0; y < 512; y += 2) {
      for (int x = 0; x < 512; x += 2) {
        for (int s = 0; s <= 16; s += 8) {
          int va = (a.getRGB(x, y) >> s) & 0xff;
          int vb = (b.getRGB(x, y) >> s) & 0xff;
          assertThat(Math.abs(va - vb)).as("(%s, %s)", x, y).isLessThanOrEqualTo(1);
        }
      }
    }
  }

  @Test
  void sweepDetectsOnceAndRunsTheTargetsBatched() throws Exception {
    BufferedImage img = photo();
    ListDetector det = new ListDetector(List.of(Face.of(100, 100, 200, 200, 0.9)));
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().optFaceDetector(det).optBatchSize(3).build();
    List<BufferedImage> outs = p.sweep(g, img, p.detect(img), AgeMap.constant(30),
        List.of(AgeMap.constant(30), AgeMap.constant(50), AgeMap.constant(70), AgeMap.constant(90)));
    assertThat(det.calls.get()).isEqualTo(1);
    assertThat(outs).hasSize(4);
    assertThat(g.calls).extracting(s -> s[0]).containsExactly(3, 1);
    int r0 = (outs.get(0).getRGB(200, 200) >> 16) & 0xff;
    int r1 = (outs.get(1).getRGB(200, 200) >> 16) & 0xff;
    int r2 = (outs.get(2).getRGB(200, 200) >> 16) & 0xff;
    assertThat(r0).isEqualTo((WorkingImages.toWorking(img).getRGB(200, 200) >> 16) & 0xff);
    assertThat(r1).isGreaterThan(r0);
    assertThat(r2).isGreaterThan(r1);
  }

  @Test
  void severalFacesAndTargetsShareBatchesUpToTheSizeAndTheMemoryBudget() throws Exception {
    BufferedImage img = photo();
    ListDetector two = new ListDetector(List.of(Face.of(20, 20, 150, 150, 0.9),
        Face.of(300, 300, 150, 150, 0.8)));
    List<AgeMap> targets = List.of(AgeMap.constant(50), AgeMap.constant(70), AgeMap.constant(90));
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().optFaceDetector(two).optBatchSize(4).build();
    List<BufferedImage> batched = p.sweep(g, img, p.detect(img), AgeMap.constant(30), targets);
    // 2 faces x 3 ages = 6 crops: 4 + 2, not 3 + 3.
    assertThat(g.calls).extracting(s -> s[0]).containsExactly(4, 2);
    ConstantDeltaGenerator one = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline single = FacePipeline.builder().optFaceDetector(two).optBatchSize(1).build();
    List<BufferedImage> serial = single.sweep(one, img, single.detect(img), AgeMap.constant(30),
        targets);
    assertThat(one.calls).hasSize(6);
    for (int t = 0; t < 3; t++) {
      for (int[] xy : new int[][] {{95, 95}, {375, 375}, {235, 235}}) {
        assertThat(batched.get(t).getRGB(xy[0], xy[1])).isEqualTo(serial.get(t).getRGB(xy[0], xy[1]));
      }
    }
    // A memory budget that holds two crops of 64x64 at width 64 caps the batch at 2.
    long twoCrops = 2L * 64 * 64 * TiledRunner.estimateBytesPerPixel(64);
    FacePipeline tight = FacePipeline.builder().optFaceDetector(two).optBatchSize(8)
        .optMemoryBudget(twoCrops).build();
    assertThat(tight.batchSize(g, tight.tiler(g, 64))).isEqualTo(2);
    assertThat(FacePipeline.builder().optBatchSize(8).optMemoryBudget(1).build()
        .batchSize(g, tight.tiler(g, 64))).isEqualTo(1);
  }

  @Test
  void noFacePolicies() throws Exception {
    BufferedImage img = photo();
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    ListDetector none = new ListDetector(List.of());
    FacePipeline pass = FacePipeline.builder().optFaceDetector(none).build();
    BufferedImage out = pass.reage(g, img, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(out.getRGB(10, 10)).isEqualTo(img.getRGB(10, 10));
    assertThat(g.calls).isEmpty();
    FacePipeline strict = FacePipeline.builder().optFaceDetector(none).optNoFacePolicy(NoFacePolicy.THROW).build();
    assertThatThrownBy(() -> strict.reage(g, img, AgeMap.constant(30), AgeMap.constant(70)))
        .isInstanceOf(NoFaceException.class).hasMessageContaining("512x512").hasMessageContaining("RETURN_UNCHANGED");
  }

  @Test
  void noFaceMessageNamesTheDetectorReadably() throws Exception {
    BufferedImage img = photo();
    FaceDetector lambda = image -> List.of();
    FacePipeline p = FacePipeline.builder().optFaceDetector(lambda)
        .optNoFacePolicy(NoFacePolicy.THROW).build();
    assertThatThrownBy(() -> p.reage(new ConstantDeltaGenerator(K, true, 16, 64), img,
        AgeMap.constant(30), AgeMap.constant(70)))
        .isInstanceOf(NoFaceException.class)
        .hasMessageContaining("image by a custom FaceDetector;")
        .hasMessageNotContaining("$$Lambda");
    assertThat(FacePipeline.describe(new ListDetector(List.of()))).isEqualTo("ListDetector");
    FaceDetector named = new FaceDetector() {
      @Override
      public List<Face> detect(BufferedImage image) {
        return List.of();
      }

      @Override
      public String toString() {
        return "UltraFace (fr_detect.onnx)";
      }
    };
    assertThat(FacePipeline.describe(named)).isEqualTo("UltraFace (fr_detect.onnx)");
  }

  @Test
  void tinyFacesBelowTheMinimumCountAsNoFace() throws Exception {
    BufferedImage img = photo();
    ListDetector tiny = new ListDetector(List.of(Face.of(10, 10, 8, 8, 0.99)));
    FacePipeline p = FacePipeline.builder().optFaceDetector(tiny).optMinFaceSize(12)
        .optNoFacePolicy(NoFacePolicy.THROW).build();
    assertThatThrownBy(() -> p.reage(new ConstantDeltaGenerator(K, true, 16, 64), img,
        AgeMap.constant(30), AgeMap.constant(70))).isInstanceOf(NoFaceException.class)
        .hasMessageContaining("12 px");
    // Just above the minimum: re-aged (upsampled to the crop), and nothing outside changes.
    FacePipeline ok = FacePipeline.builder().optFaceDetector(tiny).optMinFaceSize(8).build();
    BufferedImage out = ok.reage(new ConstantDeltaGenerator(K, true, 16, 64), img,
        AgeMap.constant(30), AgeMap.constant(70));
    assertThat(out.getRGB(14, 14)).isNotEqualTo(WorkingImages.toWorking(img).getRGB(14, 14));
    assertThat(out.getRGB(30, 30)).isEqualTo(WorkingImages.toWorking(img).getRGB(30, 30));
  }

  @Test
  void facesAtTheBorderAreCroppedWithEdgeRepeatAndPastedInside() throws Exception {
    BufferedImage img = photo();
    // A rotated face whose crop reaches past the top-left corner.
    SimilarityTransform unitToFrame = SimilarityTransform.of(200 * Math.cos(0.5), 200 * Math.sin(0.5), -30, -60);
    List<Point> pts = new java.util.ArrayList<>();
    for (Point t : FaceAligner.FFHQ_TEMPLATE) {
      pts.add(unitToFrame.apply(t));
    }
    Face face = Face.of(0, 0, 60, 60, 0.9).withLandmarks(pts);
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().optFaceDetector(new ListDetector(List.of(face))).build();
    BufferedImage out = p.reage(g, img, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(out.getWidth()).isEqualTo(512);
    BufferedImage in = WorkingImages.toWorking(img);
    assertThat(out.getRGB(500, 500)).isEqualTo(in.getRGB(500, 500));
    Point c = unitToFrame.apply(new Point(0.5, 0.5));
    int cx = (int) c.x();
    int cy = (int) c.y();
    assertThat((out.getRGB(cx, cy) >> 16) & 0xff).isGreaterThanOrEqualTo((in.getRGB(cx, cy) >> 16) & 0xff);
    assertThat(out.getRGB(cx, cy)).isNotEqualTo(in.getRGB(cx, cy));
  }

  @Test
  void alphaIsKeptAndGreyBecomesRgb() {
    BufferedImage argb = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        argb.setRGB(x, y, ((x * 4) << 24) | 0x404040);
      }
    }
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    FacePipeline p = FacePipeline.builder().build(); // whole image is the face
    BufferedImage out = p.reage(g, argb, AgeMap.constant(30), AgeMap.constant(70));
    for (int x = 0; x < 64; x++) {
      assertThat(out.getRGB(x, 32) >>> 24).isEqualTo(x * 4);
    }
    BufferedImage grey = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
    grey.getRaster().setSample(32, 32, 0, 100);
    BufferedImage greyOut = p.reage(g, grey, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(greyOut.getType()).isEqualTo(BufferedImage.TYPE_INT_RGB);
    int px = greyOut.getRGB(32, 32);
    assertThat((px >> 16) & 0xff).isEqualTo(100 + 51); // + 0.2 * 255 = 51
    assertThat(px & 0xff).isEqualTo(100 - 51);
  }

  @Test
  void hugeImagesAreRejectedWithTheLimitInTheMessage() {
    FacePipeline p = FacePipeline.builder().optMaxPixels(1000).build();
    BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    assertThatThrownBy(() -> p.reage(new ConstantDeltaGenerator(K, true, 16, 64), img,
        AgeMap.constant(30), AgeMap.constant(70)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("40x30 = 1,200 pixels").hasMessageContaining("1,000")
        .hasMessageContaining("optMaxPixels");
  }

  @Test
  void severalFacesAreEachReagedAndTheGapBetweenThemIsUntouched() throws Exception {
    BufferedImage img = photo();
    BufferedImage in = WorkingImages.toWorking(img);
    ListDetector two = new ListDetector(List.of(Face.of(20, 20, 150, 150, 0.9), Face.of(300, 300, 150, 150, 0.8)));
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    BufferedImage out = FacePipeline.builder().optFaceDetector(two).build()
        .reage(g, img, AgeMap.constant(30), AgeMap.constant(70));
    // Both faces in one model call.
    assertThat(g.calls).extracting(s -> s[0]).containsExactly(2);
    assertThat(out.getRGB(95, 95)).isNotEqualTo(in.getRGB(95, 95));
    assertThat(out.getRGB(375, 375)).isNotEqualTo(in.getRGB(375, 375));
    assertThat(out.getRGB(235, 235)).isEqualTo(in.getRGB(235, 235));
    // maxFaces keeps the most confident only.
    ConstantDeltaGenerator g1 = new ConstantDeltaGenerator(K, true, 16, 64);
    BufferedImage one = FacePipeline.builder().optFaceDetector(two).optMaxFaces(1).build()
        .reage(g1, img, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(g1.calls).hasSize(1);
    assertThat(one.getRGB(375, 375)).isEqualTo(in.getRGB(375, 375));
  }

  @Test
  void sixteenBitRgbStaysSixteenBitThroughThePipeline() {
    BufferedImage img = WorkingImages.toWorking(CropWarperTest.sixteenBit(64, 64, 30000));
    assertThat(WorkingImages.maxValue(img)).isEqualTo(65535);
    ConstantDeltaGenerator g = new ConstantDeltaGenerator(K, true, 16, 64);
    BufferedImage out = FacePipeline.builder().optFaceBox(16, 16, 32, 32).build()
        .reage(g, img, AgeMap.constant(30), AgeMap.constant(70));
    assertThat(WorkingImages.maxValue(out)).isEqualTo(65535);
    // Centre: red + 0.2 * 65535 = 13107; outside the box: unchanged.
    assertThat(out.getRaster().getSample(32, 32, 0)).isEqualTo(30000 + 13107);
    assertThat(out.getRaster().getSample(5, 5, 0)).isEqualTo(30000);
  }
}
