package io.github.fran4j.training.data.synth;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkElementIndex;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

/**
 * A procedural aging dataset that anyone can make offline: {@code identities} synthetic people,
 * each rendered at every age (default 10, 15, ..., 85) by {@link #render(int, int)}.
 *
 * <p>Each identity has its own face shape, skin tone, eyes, nose, mouth, hair colour and style,
 * clothes and background, none of which change with age. Age changes that same face in spatially
 * structured, smooth ways a model can learn: growth in the teens, then forehead and frown lines,
 * nasolabial folds, crow's feet, eye bags and hooded lids, greying (strand by strand) and receding
 * hair, thinner lips, sallower and rougher skin with age spots, hollow cheeks, jowls and a sagging
 * jaw line, neck folds. Onsets vary per identity by a few years.
 *
 * <p>Deterministic: the same seed, identity, age and size give the same pixels, and {@link
 * #write(Path)} the same PNG bytes, whatever the thread count. Images are written as {@code
 * OUT/{age}/{identity}.png} with identities named {@code 0000, 0001, ...}, the layout {@link
 * io.github.fran4j.training.data.AgeDataset} reads. Immutable and thread-safe.
 */
public final class SyntheticAgingDataset {
  /** The reference dataset's ages: 10, 15, ..., 85. */
  public static final ImmutableList<Integer> DEFAULT_AGES =
      IntStream.rangeClosed(0, 15).map(i -> 10 + 5 * i).boxed().collect(ImmutableList.toImmutableList());

  private final int identities;
  private final int size;
  private final ImmutableList<Integer> ages;
  private final long seed;
  private final int threads;

  private SyntheticAgingDataset(Builder b) {
    this.identities = b.identities;
    this.size = b.size;
    this.ages = b.ages;
    this.seed = b.seed;
    this.threads = b.threads;
  }

  /** {@return a builder (64 identities, 256 px, ages 10..85 step 5, seed 0)} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the number of identities} */
  public int identityCount() {
    return identities;
  }

  /** {@return the image side in pixels} */
  public int size() {
    return size;
  }

  /** {@return the ages in years, ascending} */
  public ImmutableList<Integer> ages() {
    return ages;
  }

  /** {@return the seed} */
  public long seed() {
    return seed;
  }

  /**
   * Returns the folder-style name of an identity ({@code 0000}, {@code 0001}, ...).
   *
   * @param identity the identity index
   * @return the zero-padded name
   */
  public static String identityName(int identity) {
    return String.format(Locale.ROOT, "%04d", identity);
  }

  /**
   * Renders one portrait. Any age is allowed (not only {@link #ages()}); ages between the listed
   * ones interpolate smoothly.
   *
   * @param identity identity index in [0, {@link #identityCount()})
   * @param age the age in years, in [0, 120]
   * @return a new {@code size x size} RGB image
   */
  public BufferedImage render(int identity, double age) {
    checkElementIndex(identity, identities, "identity");
    checkArgument(age >= 0 && age <= 120, "age must be in [0, 120] years, got %s", age);
    return PortraitRenderer.render(traits(identity), age, size);
  }

  private FaceTraits traits(int identity) {
    // Identity i's traits depend only on (seed, i), not on how many identities there are.
    return new FaceTraits(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (identity + 1));
  }

  /**
   * Writes every (age, identity) image as {@code out/{age}/{identity}.png}.
   *
   * @param out the dataset root (created if missing)
   * @throws IOException if a file cannot be written
   */
  public void write(Path out) throws IOException {
    write(out, 0, identities);
  }

  /**
   * Writes a train/val split: the first {@code identities - valIdentities} identities under {@code
   * out/train}, the rest under {@code out/val}; each split has the age-folder layout.
   *
   * @param out the parent folder (created if missing)
   * @param valIdentities identities for validation, in [1, identities - 1]
   * @throws IOException if a file cannot be written
   */
  public void writeSplit(Path out, int valIdentities) throws IOException {
    checkArgument(
        valIdentities >= 1 && valIdentities < identities,
        "validation identities must be in [1, %s] for %s identities, got %s",
        identities - 1,
        identities,
        valIdentities);
    int train = identities - valIdentities;
    write(out.resolve("train"), 0, train);
    write(out.resolve("val"), train, identities);
  }

  private void write(Path out, int from, int to) throws IOException {
    checkNotNull(out, "out");
    for (int age : ages) {
      Files.createDirectories(out.resolve(Integer.toString(age)));
    }
    List<int[]> cells = new ArrayList<>();
    for (int id = from; id < to; id++) {
      for (int a = 0; a < ages.size(); a++) {
        cells.add(new int[] {id, a});
      }
    }
    int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(n, cells.size())));
    try {
      List<Future<?>> jobs = new ArrayList<>();
      for (int[] c : cells) {
        jobs.add(
            pool.submit(
                () -> {
                  int age = ages.get(c[1]);
                  Path file = out.resolve(Integer.toString(age)).resolve(identityName(c[0]) + ".png");
                  try {
                    Photos.write(render(c[0], age), file);
                  } catch (IOException e) {
                    throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
                  }
                }));
      }
      for (Future<?> j : jobs) {
        try {
          j.get();
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof UncheckedIOException) {
            throw ((UncheckedIOException) c).getCause();
          }
          throw new IOException("rendering failed: " + c, c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while writing " + out, e);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Renders a contact sheet: one row per identity, one column per age, ages labelled on top.
   *
   * @param identityIndices the identities to show, one row each
   * @param sheetAges the ages to show, one column each
   * @param cell the side of each portrait in pixels
   * @return a new RGB image
   */
  public BufferedImage contactSheet(List<Integer> identityIndices, List<Integer> sheetAges, int cell) {
    checkArgument(!identityIndices.isEmpty() && !sheetAges.isEmpty(), "need rows and columns");
    checkArgument(cell >= 16, "cell must be >= 16 px, got %s", cell);
    SyntheticAgingDataset at = toBuilder().optSize(cell).build();
    int label = 16;
    BufferedImage sheet =
        new BufferedImage(
            cell * sheetAges.size(), label + cell * identityIndices.size(),
            BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sheet.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, sheet.getWidth(), sheet.getHeight());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      for (int c = 0; c < sheetAges.size(); c++) {
        g.drawString(Integer.toString(sheetAges.get(c)), c * cell + cell / 2 - 7, 12);
      }
      for (int r = 0; r < identityIndices.size(); r++) {
        for (int c = 0; c < sheetAges.size(); c++) {
          g.drawImage(at.render(identityIndices.get(r), sheetAges.get(c)), c * cell, label + r * cell,
              null);
        }
      }
    } finally {
      g.dispose();
    }
    return sheet;
  }

  /** {@return a builder pre-filled with this dataset's settings} */
  public Builder toBuilder() {
    return builder()
        .optIdentities(identities)
        .optSize(size)
        .optAges(ages)
        .optSeed(seed)
        .optThreads(threads);
  }

  /** Builds a {@link SyntheticAgingDataset}. Not thread-safe. */
  public static final class Builder {
    private int identities = 64;
    private int size = 256;
    private ImmutableList<Integer> ages = DEFAULT_AGES;
    private long seed;
    private int threads;

    private Builder() {}

    /**
     * Sets the number of identities.
     *
     * @param identities in [1, 100000] (default 64)
     * @return this builder
     */
    public Builder optIdentities(int identities) {
      checkArgument(
          identities >= 1 && identities <= 100_000,
          "identities must be in [1, 100000], got %s",
          identities);
      this.identities = identities;
      return this;
    }

    /**
     * Sets the image side.
     *
     * @param size pixels in [16, 4096] (default 256)
     * @return this builder
     */
    public Builder optSize(int size) {
      checkArgument(size >= 16 && size <= 4096, "size must be in [16, 4096] px, got %s", size);
      this.size = size;
      return this;
    }

    /**
     * Sets the ages.
     *
     * @param ages distinct ages in [0, 120] years, at least one; sorted on build
     * @return this builder
     */
    public Builder optAges(List<Integer> ages) {
      checkNotNull(ages, "ages");
      checkArgument(!ages.isEmpty(), "need at least one age");
      checkArgument(
          ages.stream().distinct().count() == ages.size(), "ages must be distinct, got %s", ages);
      for (int a : ages) {
        checkArgument(a >= 0 && a <= 120, "ages must be in [0, 120] years, got %s in %s", a, ages);
      }
      this.ages = ImmutableList.sortedCopyOf(ages);
      return this;
    }

    /**
     * Sets the seed (default 0).
     *
     * @param seed any value
     * @return this builder
     */
    public Builder optSeed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Sets the rendering threads used by {@link #write(Path)} (output does not depend on it).
     *
     * @param threads 0 (default: all cores) or more
     * @return this builder
     */
    public Builder optThreads(int threads) {
      checkArgument(threads >= 0, "threads must be >= 0 (0 = all cores), got %s", threads);
      this.threads = threads;
      return this;
    }

    /** {@return the dataset} */
    public SyntheticAgingDataset build() {
      return new SyntheticAgingDataset(this);
    }
  }

  /**
   * Parses an age range {@code FROM:TO:STEP} (inclusive), e.g. {@code 10:85:5}, or a comma list
   * such as {@code 20,40,60}.
   *
   * @param spec the range or list
   * @return the ages, ascending
   * @throws IllegalArgumentException if the text is malformed; the message shows the expected form
   */
  public static ImmutableList<Integer> parseAges(String spec) {
    checkNotNull(spec, "spec");
    String s = spec.trim();
    try {
      if (s.contains(":")) {
        String[] p = s.split(":");
        checkArgument(p.length == 3, "expected FROM:TO:STEP such as 10:85:5, got '%s'", spec);
        int from = Integer.parseInt(p[0].trim());
        int to = Integer.parseInt(p[1].trim());
        int step = Integer.parseInt(p[2].trim());
        checkArgument(step > 0 && to >= from,
            "expected FROM <= TO and STEP > 0 in FROM:TO:STEP, got '%s'", spec);
        ImmutableList.Builder<Integer> b = ImmutableList.builder();
        for (int a = from; a <= to; a += step) {
          b.add(a);
        }
        return b.build();
      }
      ImmutableList.Builder<Integer> b = ImmutableList.builder();
      for (String part : s.split(",")) {
        b.add(Integer.parseInt(part.trim()));
      }
      return ImmutableList.sortedCopyOf(b.build());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "expected ages as FROM:TO:STEP (e.g. 10:85:5) or a list (e.g. 20,40,60), got '" + spec
              + "'",
          e);
    }
  }
}
