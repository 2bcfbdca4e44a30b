package io.github.fran4j.examples;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Sweeps one face across several target ages ({@link ReAger#sweep}, batched model calls) and
 * writes the results twice: {@code strip.png}, the input followed by each age left to right, and
 * {@code sweep.gif}, an endlessly looping animation with one frame per age, written with the JDK's
 * own GIF writer ({@code javax.imageio}, no extra dependency).
 *
 * <p>Run: {@code java -cp fran-examples/target/fran.jar io.github.fran4j.examples.AgeSweepStrip
 * MODEL INPUT INPUT_AGE OUT_DIR [AGES]}, e.g. {@code fran.onnx face.jpg 30 sweep/ 20,40,60,80}
 * (default ages 20,35,50,65,80).
 */
public final class AgeSweepStrip {
  /** Time each GIF frame is shown, in milliseconds. */
  public static final int FRAME_MILLIS = 400;

  private AgeSweepStrip() {}

  /**
   * Runs the example.
   *
   * @param args model file, input image, input age, output folder, and optionally the target ages
   *     as a comma-separated list
   * @throws Exception if a file cannot be read or written
   */
  public static void main(String[] args) throws Exception {
    if (args.length != 4 && args.length != 5) {
      throw new IllegalArgumentException(
          "usage: AgeSweepStrip MODEL INPUT INPUT_AGE OUT_DIR [AGES, e.g. 20,40,60]");
    }
    BufferedImage face = Photos.read(Path.of(args[1]), Photos.DEFAULT_MAX_PIXELS);
    double inputAge = Double.parseDouble(args[2]);
    Path outDir = Files.createDirectories(Path.of(args[3]));
    double[] ages = Arrays.stream((args.length == 5 ? args[4] : "20,35,50,65,80").split(","))
        .mapToDouble(s -> Double.parseDouble(s.trim()))
        .toArray();
    try (ReAger reager = ReAger.load(Path.of(args[0]))) {
      List<BufferedImage> aged = reager.sweep(face, inputAge, ages);
      ImageIO.write(strip(face, aged), "png", outDir.resolve("strip.png").toFile());
      writeGif(aged, FRAME_MILLIS, outDir.resolve("sweep.gif"));
    }
    System.out.printf("wrote %s and %s (%d ages)%n", outDir.resolve("strip.png"),
        outDir.resolve("sweep.gif"), ages.length);
  }

  /**
   * Places images of equal height side by side.
   *
   * @param first the leftmost image
   * @param rest the images to its right, in order
   * @return a new RGB image
   */
  public static BufferedImage strip(BufferedImage first, List<BufferedImage> rest) {
    int w = first.getWidth();
    int h = first.getHeight();
    BufferedImage out = new BufferedImage(w * (1 + rest.size()), h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.drawImage(first, 0, 0, null);
      for (int i = 0; i < rest.size(); i++) {
        g.drawImage(rest.get(i), w * (i + 1), 0, null);
      }
    } finally {
      g.dispose();
    }
    return out;
  }

  /**
   * Writes an animated GIF that loops forever.
   *
   * @param frames the frames, in order (converted to 8-bit RGB; GIF has a 256-colour palette)
   * @param frameMillis how long each frame is shown (GIF counts in hundredths of a second)
   * @param file the GIF to write
   * @throws IOException if the file cannot be written
   */
  public static void writeGif(List<BufferedImage> frames, int frameMillis, Path file)
      throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
    Files.deleteIfExists(file);
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (int i = 0; i < frames.size(); i++) {
        BufferedImage rgb = toRgb(frames.get(i));
        ImageWriteParam param = writer.getDefaultWriteParam();
        IIOMetadata meta = writer.getDefaultImageMetadata(
            ImageTypeSpecifier.createFromRenderedImage(rgb), param);
        frameMetadata(meta, frameMillis, i == 0);
        writer.writeToSequence(new IIOImage(rgb, null, meta), param);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
  }

  private static void frameMetadata(IIOMetadata meta, int frameMillis, boolean first)
      throws IOException {
    String format = meta.getNativeMetadataFormatName(); // javax_imageio_gif_image_1.0
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
    IIOMetadataNode gce = child(root, "GraphicControlExtension");
    gce.setAttribute("disposalMethod", "none");
    gce.setAttribute("userInputFlag", "FALSE");
    gce.setAttribute("transparentColorFlag", "FALSE");
    gce.setAttribute("transparentColorIndex", "0");
    gce.setAttribute("delayTime", Integer.toString(Math.max(1, frameMillis / 10)));
    if (first) {
      // The NETSCAPE2.0 application extension on the first frame: loop count 0 = forever.
      IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
      app.setAttribute("applicationID", "NETSCAPE");
      app.setAttribute("authenticationCode", "2.0");
      app.setUserObject(new byte[] {1, 0, 0});
      child(root, "ApplicationExtensions").appendChild(app);
    }
    meta.setFromTree(format, root);
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }

  private static BufferedImage toRgb(BufferedImage img) {
    if (img.getType() == BufferedImage.TYPE_INT_RGB) {
      return img;
    }
    BufferedImage rgb = new BufferedImage(img.getWidth(), img.getHeight(),
        BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.drawImage(img, 0, 0, null);
    } finally {
      g.dispose();
    }
    return rgb;
  }
}
