package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a dataset folder {@code ROOT/{age}/{identity}.{jpg,jpeg,png}} holds, scanned from file names
 * only (no image is opened): the ages parsed from the folder names and sorted numerically, every
 * identity seen in any age folder, each present file and the missing (age, identity) cells.
 *
 * <p>{@link AgeDataset} validates a layout; {@code fran dataset-info} prints one. Immutable and
 * thread-safe.
 */
public final class DatasetLayout {
  /** One (age, identity) position of the dataset grid. */
  public record Cell(int age, String identity) {
    /**
     * Creates a cell.
     *
     * @param age the age in years
     * @param identity the identity name (file name without extension)
     */
    public Cell {
      checkNotNull(identity, "identity");
    }

    @Override
    public String toString() {
      return age + "/" + identity;
    }
  }

  private final Path root;
  private final ImmutableList<Integer> ages;
  private final ImmutableList<String> identities;
  private final ImmutableMap<Integer, ImmutableMap<String, Path>> files;
  private final ImmutableList<Cell> missing;

  private DatasetLayout(
      Path root,
      ImmutableList<Integer> ages,
      ImmutableList<String> identities,
      ImmutableMap<Integer, ImmutableMap<String, Path>> files) {
    this.root = root;
    this.ages = ages;
    this.identities = identities;
    this.files = files;
    ImmutableList.Builder<Cell> m = ImmutableList.builder();
    // Identity-major order so that the first listed cells show whole rows with gaps.
    for (String id : identities) {
      for (int age : ages) {
        if (!files.get(age).containsKey(id)) {
          m.add(new Cell(age, id));
        }
      }
    }
    this.missing = m.build();
  }

  /**
   * Scans a dataset folder.
   *
   * <p>Hidden entries (names starting with a dot) and regular files directly under the root are
   * ignored; inside an age folder, files without a jpg/jpeg/png extension and sub-folders are
   * ignored.
   *
   * @param root the dataset root, holding one folder per age
   * @return the layout
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is a file
   * @throws IOException if the root holds no age folder, a folder name is not a non-negative
   *     integer age, two folders give the same age ({@code 5} and {@code 05}), or one age folder
   *     holds the same identity twice ({@code 0001.jpg} and {@code 0001.png})
   */
  public static DatasetLayout scan(Path root) throws IOException {
    checkNotNull(root, "root");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null, "dataset folder does not exist");
    }
    if (!Files.isDirectory(root)) {
      throw new NotDirectoryException(root.toString());
    }
    List<Path> dirs;
    try (Stream<Path> s = Files.list(root)) {
      dirs =
          s.filter(p -> !p.getFileName().toString().startsWith("."))
              .filter(Files::isDirectory)
              .sorted()
              .collect(Collectors.toList());
    }
    if (dirs.isEmpty()) {
      throw new IOException(
          "no age folders in "
              + root
              + "; expected ROOT/{age}/{identity}.jpg, e.g. "
              + root.resolve("25").resolve("0001.jpg"));
    }
    List<String> bad = new ArrayList<>();
    TreeMap<Integer, Path> byAge = new TreeMap<>();
    for (Path d : dirs) {
      String name = d.getFileName().toString();
      Integer age = parseAge(name);
      if (age == null) {
        bad.add(name);
        continue;
      }
      Path prev = byAge.put(age, d);
      if (prev != null) {
        throw new IOException(
            "folders " + prev.getFileName() + " and " + name + " in " + root + " both give age " + age);
      }
    }
    if (!bad.isEmpty()) {
      String hint =
          bad.contains("train") || bad.contains("val") || bad.contains("test")
              ? "; this looks like a split root: open " + root.resolve(bad.get(0)) + " instead"
              : "";
      throw new IOException(
          "age folders must be named by a whole number of years (e.g. 25), but "
              + root
              + " has non-numeric folder(s) "
              + bad
              + hint);
    }
    ImmutableMap.Builder<Integer, ImmutableMap<String, Path>> files = ImmutableMap.builder();
    TreeSet<String> ids = new TreeSet<>();
    for (Map.Entry<Integer, Path> e : byAge.entrySet()) {
      Map<String, Path> row = new HashMap<>();
      List<Path> entries;
      try (Stream<Path> s = Files.list(e.getValue())) {
        entries = s.sorted().collect(Collectors.toList());
      }
      for (Path f : entries) {
        String name = f.getFileName().toString();
        if (name.startsWith(".") || !Files.isRegularFile(f) || !Images.isImageFile(name)) {
          continue;
        }
        String id = name.substring(0, name.lastIndexOf('.'));
        Path prev = row.put(id, f);
        if (prev != null) {
          throw new IOException(
              "identity " + id + " appears twice in " + e.getValue() + ": " + prev.getFileName()
                  + " and " + name);
        }
        ids.add(id);
      }
      files.put(e.getKey(), ImmutableMap.copyOf(new TreeMap<>(row)));
    }
    return new DatasetLayout(
        root, ImmutableList.copyOf(byAge.keySet()), ImmutableList.copyOf(ids), files.build());
  }

  private static Integer parseAge(String name) {
    if (name.isEmpty() || name.length() > 4) {
      return null;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return null;
      }
    }
    return Integer.parseInt(name);
  }

  /** {@return the scanned root folder} */
  public Path root() {
    return root;
  }

  /** {@return the ages in years, sorted ascending} */
  public ImmutableList<Integer> ages() {
    return ages;
  }

  /** {@return every identity found in at least one age folder, sorted by name} */
  public ImmutableList<String> identities() {
    return identities;
  }

  /** {@return the number of image files found} */
  public int fileCount() {
    int n = 0;
    for (ImmutableMap<String, Path> row : files.values()) {
      n += row.size();
    }
    return n;
  }

  /**
   * Returns the identities present at one age.
   *
   * @param age an age from {@link #ages()}
   * @return identity name to file, sorted by name
   */
  public ImmutableMap<String, Path> filesAt(int age) {
    ImmutableMap<String, Path> row = files.get(age);
    checkArgument(row != null, "no age %s in %s; ages are %s", age, root, ages);
    return row;
  }

  /**
   * Returns the file of one cell, if present.
   *
   * @param age an age from {@link #ages()}
   * @param identity an identity name
   * @return the file or null when the cell is missing
   */
  Path fileOrNull(int age, String identity) {
    return filesAt(age).get(identity);
  }

  /** {@return the missing (age, identity) cells, identity-major, ages ascending} */
  public ImmutableList<Cell> missingCells() {
    return missing;
  }

  /** {@return the identities with at least one missing cell, sorted} */
  public ImmutableList<String> incompleteIdentities() {
    return missing.stream().map(Cell::identity).distinct().collect(ImmutableList.toImmutableList());
  }

  /**
   * Describes the missing cells for an error message: the count and the first {@code limit}.
   *
   * @param limit how many cells to list
   * @return e.g. {@code "3 missing cells (of 2 identities x 3 ages), first: 15/0002, 20/0002, 10/0003"}
   */
  public String describeMissing(int limit) {
    List<String> first =
        missing.stream().limit(limit).map(Cell::toString).collect(Collectors.toList());
    return missing.size()
        + " missing cell"
        + (missing.size() == 1 ? "" : "s")
        + " (of "
        + identities.size()
        + " identities x "
        + ages.size()
        + " ages), first: "
        + String.join(", ", first)
        + (missing.size() > limit ? ", ..." : "");
  }
}
