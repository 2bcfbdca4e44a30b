package io.github.fran4j.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.FakeGenerator;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pixel limit derived from a memory budget: hand-computed limits per mode, scaling with the
 * budget, and a photo over it refused from its header (a 300-byte PNG claiming 36 megapixels, with
 * no pixel data at all: decoding it would fail differently) with its size, the limit and the budget.
 */
class PhotoMemoryTest {
  private static final long MIB = 1L << 20;
  private static final UNetConfig W8 = UNetConfig.builder().optBaseWidth(8).optDepth(3)
      .optTrainingResolution(128).build();

  @TempDir Path tmp;

  @Test
  void fullModeLimitIsTheBudgetOverThePerPixelCostAndScalesWithIt() {
    // Width 8: 160 + 50 * 8 = 560 bytes per pixel, no fixed cost.
    assertThat(PhotoMemory.bytesPerPixel(PhotoMemory.Mode.FULL, W8)).isEqualTo(560);
    assertThat(PhotoMemory.of(256 * MIB).maxPixels(PhotoMemory.Mode.FULL, W8, 0))
        .isEqualTo(268_435_456L / 560);
    assertThat(PhotoMemory.of(512 * MIB).maxPixels(PhotoMemory.Mode.FULL, W8, 0))
        .isEqualTo(536_870_912L / 560);
    // Width 64 (the paper's): 3,360 bytes per pixel.
    assertThat(PhotoMemory.of(4096 * MIB).maxPixels(PhotoMemory.Mode.FULL, UNetConfig.reference(), 0))
        .isEqualTo(4_294_967_296L / 3_360);
  }

  @Test
  void alignedAndCommunityPayOneModelPassUpFront() {
    // Aligned at the training resolution 128: 128 * 128 * 560 = 9,175,040 bytes, then 32 per pixel.
    assertThat(PhotoMemory.fixedBytes(PhotoMemory.Mode.ALIGNED, W8, 0)).isEqualTo(9_175_040L);
    assertThat(PhotoMemory.of(64 * MIB).maxPixels(PhotoMemory.Mode.ALIGNED, W8, 0))
        .isEqualTo((67_108_864L - 9_175_040L) / 32);
    // A 256 crop costs four times as much up front.
    assertThat(PhotoMemory.fixedBytes(PhotoMemory.Mode.ALIGNED, W8, 256)).isEqualTo(36_700_160L);
    // Community: a 512 window, 512 * 512 * 560 = 146,800,640 bytes.
    assertThat(PhotoMemory.of(256 * MIB).maxPixels(PhotoMemory.Mode.COMMUNITY, W8, 0))
        .isEqualTo((268_435_456L - 146_800_640L) / 32);
    // None: 32 bytes per pixel, nothing fixed.
    assertThat(PhotoMemory.of(32 * MIB).maxPixels(PhotoMemory.Mode.NONE, W8, 0)).isEqualTo(MIB);
  }

  @Test
  void aBudgetBelowTheModelPassAcceptsNothing() {
    assertThat(PhotoMemory.of(MIB).maxPixels(PhotoMemory.Mode.ALIGNED, W8, 0)).isZero();
    PixelLimit l = PhotoMemory.of(MIB).limit(PhotoMemory.Mode.ALIGNED, W8, 0);
    assertThat(l.maxPixels()).isZero();
    assertThat(l.accepts(1, 1)).isFalse();
    assertThat(l.source()).contains("1.00 MiB").contains("aligned face crops")
        .contains("8.75 MiB for the model pass");
  }

  @Test
  void sizesParseInBinaryUnitsAndBadOnesNameTheText() {
    assertThat(PhotoMemory.parse("4g").bytes()).isEqualTo(4L << 30);
    assertThat(PhotoMemory.parse("512M").bytes()).isEqualTo(512L << 20);
    assertThat(PhotoMemory.parse("1.5GiB").bytes()).isEqualTo(3L << 29);
    assertThat(PhotoMemory.parse("123456").bytes()).isEqualTo(123_456L);
    assertThatThrownBy(() -> PhotoMemory.parse("lots"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lots' is not a size").hasMessageContaining("e.g. 4g");
    assertThatThrownBy(() -> PhotoMemory.parse("0")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1 byte");
    assertThatThrownBy(() -> PhotoMemory.parse("-4g")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPhotoOverTheBudgetIsRefusedFromItsHeaderWithTheFigures() throws Exception {
    Path big = tmp.resolve("big.png");
    Files.write(big, pngHeaderOnly(6000, 6000));
    PixelLimit limit = PhotoMemory.of(512 * MIB).limit(PhotoMemory.Mode.FULL, W8, 0);

    assertThatThrownBy(() -> Photos.read(big, limit, false))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageStartingWith(big + ": 6000x6000 = 36,000,000 pixels exceeds the pixel limit of "
            + "958,698 set by a memory budget of 512.00 MiB at --face full")
        .hasMessageContaining("534.06 MiB per megapixel")
        .hasMessageContaining("U-Net width 8");
    // The same header under a budget large enough: the limit passes and decoding fails (no
    // pixel data), which shows the refusal above came before decoding.
    PixelLimit roomy = PhotoMemory.of(64L << 30).limit(PhotoMemory.Mode.NONE, W8, 0);
    assertThatThrownBy(() -> Photos.read(big, roomy, false))
        .isInstanceOf(UnsupportedImageException.class)
        .hasMessageNotContaining("pixel limit");
  }

  @Test
  void thePlainLimitKeepsItsMessageAndTheStricterLimitWins() {
    PixelLimit plain = PixelLimit.of(1_000);
    assertThat(plain.refusal("a.png", 50, 50)).isEqualTo("a.png: 50x50 = 2,500 pixels exceeds the "
        + "pixel limit of 1,000; downscale it or raise the pixel limit");
    PixelLimit budget = PhotoMemory.of(16_000).limit(PhotoMemory.Mode.NONE, W8, 0);
    assertThat(budget.maxPixels()).isEqualTo(500);
    assertThat(plain.min(budget)).isSameAs(budget);
    assertThat(budget.min(plain)).isSameAs(budget);
    assertThat(PixelLimit.of(100).min(budget).maxPixels()).isEqualTo(100);
  }

  @Test
  void aReAgerWithABudgetRefusesAndReportsTheSameLimit() throws Exception {
    // The fake model states no configuration: sized as the paper's width 64, 3,360 bytes a pixel.
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(1))
        .optPhotoMemory(PhotoMemory.of(MIB)).build()) {
      assertThat(r.pixelLimit().maxPixels()).isEqualTo(1_048_576L / 3_360);
      assertThat(r.reage(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB), 30, 70)).isNotNull();
      assertThatThrownBy(() -> r.reage(new BufferedImage(18, 18, BufferedImage.TYPE_INT_RGB), 30, 70))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("18x18 = 324 pixels exceeds the pixel limit of 312")
          .hasMessageContaining("memory budget of 1.00 MiB");
    }
    // Without a budget, only the plain pixel limit.
    try (ReAger r = ReAger.builder().setGenerator(new FakeGenerator(1)).build()) {
      assertThat(r.pixelLimit()).isEqualTo(PixelLimit.of(DeltaRunner.DEFAULT_MAX_PIXELS));
    }
  }

  /** A PNG signature and IHDR chunk (valid CRC) claiming a size, and nothing else. */
  static byte[] pngHeaderOnly(int width, int height) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    DataOutputStream c = new DataOutputStream(chunk);
    c.write("IHDR".getBytes(StandardCharsets.US_ASCII));
    c.writeInt(width);
    c.writeInt(height);
    c.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, deflate, no filter method, no interlace
    byte[] typeAndData = chunk.toByteArray();
    out.writeInt(typeAndData.length - 4);
    out.write(typeAndData);
    CRC32 crc = new CRC32();
    crc.update(typeAndData);
    out.writeInt((int) crc.getValue());
    return b.toByteArray();
  }
}
