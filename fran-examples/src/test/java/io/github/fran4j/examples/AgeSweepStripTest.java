package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgeSweepStripTest {
  @TempDir Path tmp;

  @Test
  void writesStripAndLoopingGifWithOneFramePerAge() throws Exception {
    Path model = TinyModel.write(tmp);
    BufferedImage in = TinyModel.image(40, 36, 2);
    Path input = TinyModel.writePng(in, tmp.resolve("in.png"));
    Path out = tmp.resolve("sweep");

    AgeSweepStrip.main(new String[] {model.toString(), input.toString(), "30", out.toString(),
        "20,50,80"});

    BufferedImage strip = TinyModel.read(out.resolve("strip.png"));
    assertThat(strip.getWidth()).isEqualTo(4 * 40);
    assertThat(strip.getHeight()).isEqualTo(36);
    // The first panel is the input itself; the others are re-aged and differ from each other.
    BufferedImage first = strip.getSubimage(0, 0, 40, 36);
    assertThat(TinyModel.differingPixels(first, in)).isZero();
    BufferedImage age20 = strip.getSubimage(40, 0, 40, 36);
    BufferedImage age80 = strip.getSubimage(120, 0, 40, 36);
    assertThat(TinyModel.differingPixels(age20, in)).isGreaterThan(100);
    assertThat(TinyModel.differingPixels(age20, age80)).isGreaterThan(0);

    try (ImageInputStream s = ImageIO.createImageInputStream(out.resolve("sweep.gif").toFile())) {
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      reader.setInput(s);
      assertThat(reader.getNumImages(true)).isEqualTo(3);
      BufferedImage frame0 = reader.read(0);
      assertThat(frame0.getWidth()).isEqualTo(40);
      assertThat(frame0.getHeight()).isEqualTo(36);
      IIOMetadataNode root = (IIOMetadataNode) reader.getImageMetadata(0)
          .getAsTree("javax_imageio_gif_image_1.0");
      IIOMetadataNode app = (IIOMetadataNode) root.getElementsByTagName("ApplicationExtension")
          .item(0);
      assertThat(app).as("NETSCAPE2.0 loop extension").isNotNull();
      assertThat(app.getAttribute("applicationID")).isEqualTo("NETSCAPE");
      assertThat(Arrays.equals((byte[]) app.getUserObject(), new byte[] {1, 0, 0})).isTrue();
      IIOMetadataNode gce = (IIOMetadataNode) root.getElementsByTagName("GraphicControlExtension")
          .item(0);
      assertThat(gce.getAttribute("delayTime")).isEqualTo("40");
      reader.dispose();
    }
  }
}
