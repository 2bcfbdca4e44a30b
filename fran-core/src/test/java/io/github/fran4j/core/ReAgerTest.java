package io.github.fran4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.spi.FakeGenerator;
import io.github.fran4j.core.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReAgerTest {


  private static ReAger fake(FakeGenerator g) throws IOException {
    return ReAger.builder().setGenerator(g).build();
  }

  /** The documented contract, computed per pixel with doubles, independent of the tensor code. */
  private static int expected(int value, int channel, double in, double out) {
    double x = value / 255.0;
    double y = x + FakeGenerator.expectedDelta(channel, x, in, out);
    return (int) Math.round(255 * Math.max(0, Math.min(1, y)));
  }

  @Property(tries = 25)
  void reageIsEncodeGenerateAddClampRound(
      @ForAll @IntRange(min = 1, max = 20) int w,
      @ForAll @IntRange(min = 1, max = 20) int h,
      @ForAll @DoubleRange(min = 0, max = 150) double in,
      @ForAll @DoubleRange(min = 0, max = 150) double out,
      @ForAll long seed) throws IOException {
    BufferedImage img = Fixtures.randomRgbImage(w, h, seed);
    FakeGenerator g = new FakeGenerator(8);
    BufferedImage result;
    try (ReAger r = fake(g)) {
      result = r.reage(img, in, out);
    }
    assertThat(result.getWidth()).isEqualTo(w);
    assertThat(result.getHeight()).isEqualTo(h);
    assertThat(g.lastShape()).containsExactly(1, 5, (h + 7) / 8 * 8, (w + 7) / 8 * 8);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int p = img.getRGB(x, y);
        int q = result.getRGB(x, y);
        // float32 arithmetic may land a hair away from the double result at .5 boundaries.
        assertThat((q >> 16) & 0xFF).isCloseTo(expected((p >> 16) & 0xFF, 0, in, out),
            org.assertj.core.api.Assertions.within(1));
        assertThat((q >> 8) & 0xFF).isCloseTo(expected((p >> 8) & 0xFF, 1, in, out),
            org.assertj.core.api.Assertions.within(1));
        assertThat(q & 0xFF).isCloseTo(expected(p & 0xFF, 2, in, out),
            org.assertj.core.api.Assertions.within(1));
      }
    }
  }

  @Test
  void sameAgeGivesIdenticalImageForGreenChannelOfPointwiseFake() throws IOException {
    BufferedImage img = Fixtures.randomRgbImage(16, 16, 3);
    try (ReAger r = fake(new FakeGenerator(16))) {
      BufferedImage out = r.reage(img, 40, 40);
      for (int y = 0; y < 16; y++) {
        for (int x = 0; x < 16; x++) {
          // channel 1 has zero delta when ages agree
          assertThat((out.getRGB(x, y) >> 8) & 0xFF).isEqualTo((img.getRGB(x, y) >> 8) & 0xFF);
        }
      }
    }
  }

  @Test
  void sweepMatchesSingleCallsAndBatches() throws IOException {
    BufferedImage img = Fixtures.randomRgbImage(12, 9, 5);
    FakeGenerator g = new FakeGenerator(4);
    try (ReAger r = ReAger.builder().setGenerator(g).optBatchSize(2).build()) {
      List<BufferedImage> sweep = r.sweep(img, 30, 20, 50, 80);
      assertThat(sweep).hasSize(3);
      assertThat(g.lastShape()[0]).isEqualTo(1); // 3 targets in batches of 2: last batch has 1
      double[] targets = {20, 50, 80};
      for (int i = 0; i < 3; i++) {
        BufferedImage single = r.reage(img, 30, targets[i]);
        for (int y = 0; y < 9; y++) {
          for (int x = 0; x < 12; x++) {
            assertThat(sweep.get(i).getRGB(x, y)).isEqualTo(single.getRGB(x, y));
          }
        }
      }
    }
  }

  @Test
  void perPixelTargetAgesReachThePixels() throws IOException {
    BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB); // black
    try (ReAger r = fake(new FakeGenerator(1))) {
      BufferedImage out = r.reage(img, AgeMap.constant(20),
          AgeMap.perPixel(new float[] {20, 60}, 2, 1));
      assertThat(out.getRGB(0, 0) & 0xFFFFFF).isZero();
      // 0.5 * 0.4 = 0.2 -> 51
      assertThat((out.getRGB(1, 0) >> 8) & 0xFF).isEqualTo(51);
    }
  }

  @Test
  void badInputsGetSpecificErrors() throws IOException {
    try (ReAger r = fake(new FakeGenerator(8))) {
      BufferedImage img = Fixtures.randomRgbImage(8, 8, 1);
      // Guava's convention: a null argument is a NullPointerException naming it.
      assertThatThrownBy(() -> r.reage(null, 20, 30))
          .isInstanceOf(NullPointerException.class).hasMessage("image");
      assertThatThrownBy(() -> r.reage(img, Double.NaN, 30))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputAge");
      assertThatThrownBy(() -> r.reage(img, 20, 151))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("targetAge");
      assertThatThrownBy(() -> r.reage(img, -3, 20)).hasMessageContaining("-3");
      assertThatThrownBy(() -> r.reage(img, 20, Double.POSITIVE_INFINITY))
          .hasMessageContaining("Infinity");
      assertThatThrownBy(() -> r.sweep(img, 20)).hasMessageContaining("no target ages");
      assertThatThrownBy(() -> r.reage(img, null, AgeMap.constant(3)))
          .isInstanceOf(NullPointerException.class).hasMessage("inputAge map");
    }
  }

  @Test
  void closeIsIdempotentAndLaterCallsFail() throws IOException {
    FakeGenerator g = new FakeGenerator(8);
    ReAger r = fake(g);
    r.close();
    r.close();
    assertThat(g.closeCount()).isEqualTo(1);
    assertThatThrownBy(() -> r.reage(Fixtures.randomRgbImage(8, 8, 1), 20, 30))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void loadPicksTheBackendByFileType(@TempDir Path dir) throws IOException {
    Path model = dir.resolve("m.fake");
    Files.writeString(model, "x");
    try (ReAger r = ReAger.load(model)) {
      assertThat(r.describe()).isEqualTo("fake (cpu)");
    }
  }

  @Test
  void loadReportsMissingEmptyAndUnknownFiles(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> ReAger.load(dir.resolve("nope.onnx")))
        .isInstanceOf(NoSuchFileException.class).hasMessageContaining("nope.onnx");
    Path empty = Files.createFile(dir.resolve("empty.safetensors"));
    assertThatThrownBy(() -> ReAger.load(empty))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("is empty");
    Path unknown = Files.writeString(dir.resolve("model.xyz"), "hello");
    assertThatThrownBy(() -> ReAger.load(unknown))
        .isInstanceOf(NoBackendException.class)
        .hasMessageContaining("model.xyz")
        .hasMessageContaining("fake (.fake)")
        .hasMessageContaining("fran-onnx");
    assertThatThrownBy(() -> ReAger.load(dir))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> ReAger.builder().optBackend("nope").setModel(unknown).build())
        .isInstanceOf(NoBackendException.class).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> ReAger.builder().build()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loadsAModelHeldInMemoryOrStreamedWithTheFilesPixels(@TempDir Path dir) throws IOException {
    Path model = Fixtures.unetWeightsFile("transposed_d3_w4_blur", dir);
    BufferedImage img = Fixtures.randomRgbImage(19, 13, 4);
    BufferedImage fromFile;
    try (ReAger r = ReAger.load(model)) {
      fromFile = r.reage(img, 25, 70);
    }
    byte[] bytes = Files.readAllBytes(model);
    // The content, not a name, picks the backend: pure-java takes safetensors bytes, the fake
    // backend on this class path (files named .fake) does not take bytes at all.
    try (ReAger r = ReAger.load(new ByteArrayInputStream(bytes))) {
      assertThat(r.describe()).isEqualTo("pure-java (cpu)");
      assertThat(rgb(r.reage(img, 25, 70))).isEqualTo(rgb(fromFile));
    }
    try (ReAger r = ReAger.builder().setModel(bytes, "upload.safetensors").build()) {
      assertThat(rgb(r.reage(img, 25, 70))).isEqualTo(rgb(fromFile));
    }
    assertThatThrownBy(() -> ReAger.load(new byte[0]))
        .isInstanceOf(ModelFormatException.class)
        .hasMessage("model in-memory model is empty (0 bytes)");
    byte[] pth = Files.readAllBytes(
        io.github.fran4j.core.weights.pth.InteropFixtures.file("unet_t_w4_d2.pth"));
    assertThatThrownBy(() -> ReAger.load(pth))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("in-memory model: torch.save (.pth/.pt) weights can only be read");
    assertThatThrownBy(() -> ReAger.builder().setModel("hello".getBytes(), "x.bin").build())
        .isInstanceOf(NoBackendException.class)
        .hasMessageStartingWith("no backend accepts the in-memory model x.bin (unknown content)");
    assertThatThrownBy(() -> ReAger.builder().setModel(bytes, "u").optBackend("fake").build())
        .isInstanceOf(NoBackendException.class)
        .hasMessage("the fake backend opens model files only, not models held in memory like u");
    assertThatThrownBy(() -> ReAger.builder().setModel(bytes, "u").setModel(model).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("set exactly one of setModel(Path), setModel(byte[], String)");
  }

  private static int[] rgb(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
