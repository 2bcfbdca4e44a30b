package io.github.fran4j.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.awt.image.SinglePixelPackedSampleModel;
import java.awt.image.WritableRaster;
import java.util.Optional;

/**
 * Direct access to the pixels of packed-int images. {@link BufferedImage#getRGB} converts pixel by
 * pixel through the colour model, about 10x slower than reading the backing array; every hot loop
 * over {@link BufferedImage#TYPE_INT_RGB} / {@link BufferedImage#TYPE_INT_ARGB} images (encoding,
 * crop sampling, paste-back, augmentation, detector input) uses this one check instead.
 *
 * <p>Stateless; thread-safe as far as the images passed in are.
 */
public final class PackedPixels {
  private PackedPixels() {}

  /**
   * Returns the image's own backing array, {@code 0xAARRGGBB} (the top byte is undefined for
   * {@code TYPE_INT_RGB}) at index {@code y * width + x}, when the image is a whole (not a
   * sub-image) {@code TYPE_INT_RGB} or {@code TYPE_INT_ARGB} image. Writes into the array change
   * the image.
   *
   * @param img an image
   * @return the backing array, or empty for any other layout
   */
  public static Optional<int[]> backingArray(BufferedImage img) {
    int t = img.getType();
    if (t != BufferedImage.TYPE_INT_RGB && t != BufferedImage.TYPE_INT_ARGB) {
      return Optional.empty();
    }
    WritableRaster r = img.getRaster();
    if (r.getParent() != null
        || r.getSampleModelTranslateX() != 0
        || r.getSampleModelTranslateY() != 0
        || !(r.getDataBuffer() instanceof DataBufferInt)
        || !(r.getSampleModel() instanceof SinglePixelPackedSampleModel)
        || ((SinglePixelPackedSampleModel) r.getSampleModel()).getScanlineStride() != img.getWidth()
        || r.getDataBuffer().getOffset() != 0) {
      return Optional.empty();
    }
    int[] data = ((DataBufferInt) r.getDataBuffer()).getData();
    return data.length == img.getWidth() * img.getHeight() ? Optional.of(data) : Optional.empty();
  }

  /**
   * Returns the image's pixels as {@code 0xAARRGGBB} (sRGB, as {@link BufferedImage#getRGB}),
   * row-major: the backing array when {@link #backingArray} has one (callers must then not write
   * into it), otherwise a converted copy.
   *
   * @param img an image
   * @return {@code width * height} packed pixels
   */
  public static int[] argb(BufferedImage img) {
    return backingArray(img).orElseGet(
        () -> img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth()));
  }
}
