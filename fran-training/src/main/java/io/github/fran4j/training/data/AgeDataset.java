package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A longitudinal face dataset laid out as {@code ROOT/{age}/{identity}.{jpg,jpeg,png}}: a grid of
 * identities (rows) by ages (columns), every cell one image of that identity at that age; or, in
 * the community's layout {@code ROOT/{identity}/{age}.jpg} (recognised by
 * {@link DatasetLayout#scan(Path)}), a grid with gaps where every identity needs at least two ages
 * and pairs are drawn from the ages each has ({@link #ageIndicesOf}).
 *
 * <p>Ages come from the folder names, parsed as whole numbers of years and sorted numerically (the
 * reference derived them from the position of an unsorted listing, which can mislabel them).
 * Opening scans file names only; images are decoded on demand by {@link #image(int, int)}.
 *
 * <p><b>Strict</b> mode (the default) requires every identity at every age and otherwise fails,
 * counting and listing the missing cells. <b>Lenient</b> mode drops incomplete identities and logs
 * how many; images that turn out to be unreadable are then skipped by {@link PairLoader} (which
 * counts them) instead of failing training.
 *
 * <p>Immutable and thread-safe: {@link #image(int, int)} may be called from many threads.
 */
public final class AgeDataset {
  private static final Logger LOG = LoggerFactory.getLogger(AgeDataset.class);
  /** The reference's training resolution. */
  public static final int DEFAULT_RESOLUTION = 256;

  private final DatasetLayout layout;
  private final boolean lenient;
  private final int resolution;
  private final ImmutableList<Integer> ages;
  private final ImmutableList<String> identities;
  private final ImmutableList<String> dropped;

  private AgeDataset(Builder b, DatasetLayout layout) throws IOException {
    this.layout = layout;
    this.lenient = b.lenient;
    this.resolution = b.resolution;
    this.ages = layout.ages();
    if (layout.fileCount() == 0) {
      throw new IOException(
          "no images in " + layout.root() + " (age folders " + ages
              + " hold no .jpg/.jpeg/.png files)");
    }
    if (layout.structure() == DatasetLayout.Structure.IDENTITY_FOLDERS) {
      // The community layout: identities may lack ages; pairs come from the ages each one has.
      List<String> kept = new ArrayList<>();
      List<String> single = new ArrayList<>();
      for (String id : layout.identities()) {
        (layout.agesOf(id).size() >= 2 ? kept : single).add(id);
      }
      if (!single.isEmpty() && (!lenient || kept.isEmpty())) {
        String id = single.get(0);
        throw new IOException("identity " + id + " in " + layout.root() + " has only age "
            + layout.agesOf(id) + "; every identity needs at least two ages to form a pair"
            + (single.size() > 1 ? " (" + single.size() + " identities have one: " + single
                .subList(0, Math.min(10, single.size())) + ")" : "")
            + (lenient ? "" : "; open it in lenient mode to drop them"));
      }
      if (!single.isEmpty()) {
        LOG.warn("lenient: dropped {} of {} identities with a single age in {}: {}",
            single.size(), layout.identities().size(), layout.root(), single);
      }
      this.identities = ImmutableList.copyOf(kept);
      this.dropped = ImmutableList.copyOf(single);
    } else if (!layout.missingCells().isEmpty()) {
      if (!lenient) {
        throw new IOException(
            "incomplete dataset "
                + layout.root()
                + ": "
                + layout.describeMissing(10)
                + ". Every identity needs an image at every age; open it in lenient mode to drop"
                + " incomplete identities.");
      }
      ImmutableList<String> incomplete = layout.incompleteIdentities();
      List<String> kept = new ArrayList<>(layout.identities());
      kept.removeAll(incomplete);
      if (kept.isEmpty()) {
        throw new IOException(
            "no complete identity in "
                + layout.root()
                + ": all "
                + incomplete.size()
                + " identities miss at least one age ("
                + layout.describeMissing(10)
                + ")");
      }
      LOG.warn(
          "lenient: dropped {} of {} identities with missing ages in {} ({})",
          incomplete.size(),
          layout.identities().size(),
          layout.root(),
          layout.describeMissing(5));
      this.identities = ImmutableList.copyOf(kept);
      this.dropped = incomplete;
    } else {
      this.identities = layout.identities();
      this.dropped = ImmutableList.of();
    }
  }

  /**
   * Opens a dataset in strict mode at the default resolution (256).
   *
   * @param root the folder holding one sub-folder per age
   * @return the dataset
   * @throws IOException if the layout is invalid or incomplete; the message says what to fix
   */
  public static AgeDataset open(Path root) throws IOException {
    return builder(root).build();
  }

  /**
   * Returns a builder for the dataset under {@code root}.
   *
   * @param root the folder holding one sub-folder per age
   * @return a builder, strict and at 256x256 by default
   */
  public static Builder builder(Path root) {
    return new Builder(root);
  }

  /** {@return the layout as scanned, including dropped identities and missing cells} */
  public DatasetLayout layout() {
    return layout;
  }

  /** {@return the dataset root} */
  public Path root() {
    return layout.root();
  }

  /** {@return whether incomplete identities were dropped instead of failing} */
  public boolean lenient() {
    return lenient;
  }

  /** {@return the side of the square images returned by {@link #image(int, int)}} */
  public int resolution() {
    return resolution;
  }

  /** {@return the ages in years, ascending; age index {@code i} means {@code ages().get(i)}} */
  public ImmutableList<Integer> ages() {
    return ages;
  }

  /** {@return the (complete) identities, sorted by name; identity index {@code i} is {@code get(i)}} */
  public ImmutableList<String> identities() {
    return identities;
  }

  /** {@return the identities dropped in lenient mode (empty in strict mode)} */
  public ImmutableList<String> droppedIdentities() {
    return dropped;
  }

  /**
   * Returns the age indices at which an identity has an image: every index for the reference
   * layout (complete by construction), the ages it has for {@code ROOT/{identity}/{age}.jpg}.
   *
   * @param identity identity index in [0, {@link #identityCount()})
   * @return ascending indices into {@link #ages()}
   */
  public int[] ageIndicesOf(int identity) {
    checkElementIndex(identity, identities.size(), "identity");
    String id = identities.get(identity);
    List<Integer> has = layout.agesOf(id);
    return has.stream().mapToInt(ages::indexOf).toArray();
  }

  /** {@return whether every identity has every age (always so for the reference layout)} */
  public boolean complete() {
    for (int i = 0; i < identities.size(); i++) {
      if (layout.agesOf(identities.get(i)).size() != ages.size()) {
        return false;
      }
    }
    return true;
  }

  /** {@return the number of identities (rows)} */
  public int identityCount() {
    return identities.size();
  }

  /** {@return the number of ages (columns)} */
  public int ageCount() {
    return ages.size();
  }

  /**
   * Returns the file of one cell.
   *
   * @param identity identity index in [0, {@link #identityCount()})
   * @param ageIndex age index in [0, {@link #ageCount()})
   * @return the image file, or null when that identity has no image at that age (only in the
   *     {@code ROOT/{identity}/{age}.jpg} layout; see {@link #ageIndicesOf})
   */
  public Path path(int identity, int ageIndex) {
    checkElementIndex(identity, identities.size(), "identity");
    checkElementIndex(ageIndex, ages.size(), "ageIndex");
    return layout.fileOrNull(ages.get(ageIndex), identities.get(identity));
  }

  /**
   * Decodes one cell and resizes it to {@link #resolution()}: a new {@code resolution x resolution}
   * {@link BufferedImage#TYPE_INT_RGB} image (non-square files are centre-cropped to a square first,
   * see {@link Images#resizeSquare}). Each call decodes the file again; nothing is cached.
   *
   * @param identity identity index in [0, {@link #identityCount()})
   * @param ageIndex age index in [0, {@link #ageCount()})
   * @return the decoded, resized image; the caller owns it
   * @throws IOException if the file is unreadable, corrupt or truncated; the message names it
   */
  public BufferedImage image(int identity, int ageIndex) throws IOException {
    if (path(identity, ageIndex) == null) {
      throw new IOException("identity " + identities.get(identity) + " has no image at age "
          + ages.get(ageIndex) + " in " + layout.root() + "; its ages are "
          + layout.agesOf(identities.get(identity)));
    }
    return Images.resizeSquare(Images.decode(path(identity, ageIndex)), resolution);
  }

  @Override
  public String toString() {
    return "AgeDataset{"
        + layout.root()
        + ", "
        + identities.size()
        + " identities x ages "
        + ages
        + ", "
        + resolution
        + "px"
        + (lenient ? ", lenient" : "")
        + "}";
  }

  /** Builds an {@link AgeDataset}; {@code opt*} settings are optional. Not thread-safe. */
  public static final class Builder {
    private final Path root;
    private boolean lenient;
    private int resolution = DEFAULT_RESOLUTION;

    private Builder(Path root) {
      this.root = checkNotNull(root, "root");
    }

    /**
     * Chooses lenient mode: drop identities that miss an age instead of failing.
     *
     * @param lenient true for lenient, false (default) for strict
     * @return this builder
     */
    public Builder optLenient(boolean lenient) {
      this.lenient = lenient;
      return this;
    }

    /**
     * Sets the training resolution that images are resized to.
     *
     * @param resolution side in pixels, at least 8 (default 256)
     * @return this builder
     */
    public Builder optResolution(int resolution) {
      checkArgument(resolution >= 8, "resolution must be >= 8 pixels, got %s", resolution);
      this.resolution = resolution;
      return this;
    }

    /**
     * Scans the folder and validates it.
     *
     * @return the dataset
     * @throws IOException if the layout is invalid, empty or (in strict mode) incomplete
     */
    public AgeDataset build() throws IOException {
      return new AgeDataset(this, DatasetLayout.scan(root));
    }
  }
}
