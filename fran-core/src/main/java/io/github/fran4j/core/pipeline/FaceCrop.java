package io.github.fran4j.core.pipeline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;

/**
 * Where a face's square crop lies in the frame: a {@code size x size} crop whose continuous
 * coordinates {@code [0, size]^2} map to frame coordinates through {@link #cropToFrame()}.
 * Immutable and thread-safe.
 */
public final class FaceCrop {
  private final Face face;
  private final SimilarityTransform cropToFrame;
  private final SimilarityTransform frameToCrop;
  private final int size;

  /**
   * Creates a crop.
   *
   * @param face the face it was made for
   * @param cropToFrame maps crop coordinates to frame coordinates
   * @param size the crop's side in pixels, &gt; 0
   */
  public FaceCrop(Face face, SimilarityTransform cropToFrame, int size) {
    checkArgument(size > 0, "crop size must be > 0, got %s", size);
    this.face = checkNotNull(face, "face");
    this.cropToFrame = checkNotNull(cropToFrame, "cropToFrame");
    this.frameToCrop = cropToFrame.inverse();
    this.size = size;
  }

  /** {@return the face the crop was made for} */
  public Face face() {
    return face;
  }

  /** {@return the transform from crop coordinates to frame coordinates} */
  public SimilarityTransform cropToFrame() {
    return cropToFrame;
  }

  /** {@return the transform from frame coordinates to crop coordinates} */
  public SimilarityTransform frameToCrop() {
    return frameToCrop;
  }

  /** {@return the crop's side in crop pixels} */
  public int size() {
    return size;
  }

  /** {@return the crop's side measured in frame pixels} */
  public double sideInFrame() {
    return size * cropToFrame.scale();
  }

  /**
   * Returns the crop's axis-aligned bounding box in the frame, clipped to a {@code width x height}
   * frame, as {@code {x0, y0, x1, y1}} with exclusive ends; empty (x1 &lt;= x0) when the crop lies
   * outside the frame.
   *
   * @param width frame width
   * @param height frame height
   * @return the clipped box
   */
  public int[] frameBounds(int width, int height) {
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < 4; i++) {
      double u = (i & 1) == 0 ? 0 : size;
      double v = (i & 2) == 0 ? 0 : size;
      double x = cropToFrame.applyX(u, v);
      double y = cropToFrame.applyY(u, v);
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
    int x0 = (int) Math.max(0, Math.floor(minX));
    int y0 = (int) Math.max(0, Math.floor(minY));
    int x1 = (int) Math.min(width, Math.ceil(maxX));
    int y1 = (int) Math.min(height, Math.ceil(maxY));
    return new int[] {x0, y0, Math.max(x0, x1), Math.max(y0, y1)};
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "FaceCrop{size=%d, sideInFrame=%.1f, %s}", size, sideInFrame(),
        cropToFrame);
  }
}
