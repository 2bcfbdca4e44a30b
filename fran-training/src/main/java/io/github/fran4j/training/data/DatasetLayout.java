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
 * What a dataset folder holds, scanned from file names only (no image is opened): the ages parsed
 * from the names and sorted numerically, every identity, each present file and the missing
 * (age, identity) cells. Two layouts are recognised by themselves ({@link Structure}): the
 * reference's {@code ROOT/{age}/{identity}.{jpg,jpeg,png}} and the community's
 * {@code ROOT/{identity}/{age}.{jpg,jpeg,png}}.
 *
 * <p>{@link AgeDataset} validates a layout; {@code fran dataset-info} prints one. Immutable and
 * thread-safe.
 */
public final class DatasetLayout {
  /** How the folder is organised. */
  public enum Structure {
    /** The reference's {@code ROOT/{age}/{identity}.jpg}: one folder per age. */
    AGE_FOLDERS("DIR/<age>/<identity>.jpg"),
    /**
     * The community's {@code ROOT/{identity}/{age}.jpg}: one folder per identity, which may lack
     * some ages.
     */
    IDENTITY_FOLDERS("DIR/<identity>/<age>.jpg");

    private final String pattern;

    Structure(String pattern) {
      this.pattern = pattern;
    }

    /** {@return the layout as a path pattern, e.g. {@code DIR/<age>/<identity>.jpg}} */
    public String pattern() {
      return pattern;
    }
  }

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
  private final Structure structure;
  private final ImmutableList<Integer> ages;
  private final ImmutableList<String> identities;
  private final ImmutableMap<Integer, ImmutableMap<String, Path>> files;
  private final ImmutableList<Cell> missing;

  private DatasetLayout(
      Path root,
      Structure structure,
      ImmutableList<Integer> ages,
      ImmutableList<String> identities,
      ImmutableMap<Integer, ImmutableMap<String, Path>> files) {
    this.root = root;
    this.structure = structure;
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
   * Scans a dataset folder, recognising its {@link Structure}: when a sub-folder not named by a
   * whole number holds images and every image inside the sub-folders is named by a whole number,
   * it is {@link Structure#IDENTITY_FOLDERS}; otherwise {@link Structure#AGE_FOLDERS}. (Identity folders
   * that are all numbers, e.g. {@code 0001/25.jpg}, read as age folders: use
   * {@link #scan(Path, Structure)} for them.)
   *
   * @param root the dataset root
   * @return the layout
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is a file
   * @throws IOException if the folder matches neither layout, or as {@link #scan(Path, Structure)}
   */
  public static DatasetLayout scan(Path root) throws IOException {
    List<Path> dirs = subFolders(root);
    List<Path> named = dirs.stream().filter(d -> parseAge(d.getFileName().toString()) == null)
        .collect(Collectors.toList());
    // The evidence for identity folders must come from a folder not named by an age: an empty
    // stray folder beside age folders of 0000.jpg, 0001.jpg... stays a reference-layout error.
    boolean evidence = false;
    for (Path d : named) {
      evidence |= !images(d).isEmpty();
    }
    if (evidence && allImagesNamedByAge(dirs)) {
      return scanIdentityFolders(root, dirs);
    }
    return scanAgeFolders(root, dirs);
  }

  /**
   * Scans a dataset folder of a given structure.
   *
   * @param root the dataset root
   * @param structure how it is organised
   * @return the layout
   * @throws NoSuchFileException if the root does not exist
   * @throws NotDirectoryException if the root is a file
   * @throws IOException as {@link #scan(Path)}, for the given structure
   */
  public static DatasetLayout scan(Path root, Structure structure) throws IOException {
    checkNotNull(structure, "structure");
    List<Path> dirs = subFolders(root);
    return structure == Structure.AGE_FOLDERS
        ? scanAgeFolders(root, dirs)
        : scanIdentityFolders(root, dirs);
  }

  private static List<Path> subFolders(Path root) throws IOException {
    checkNotNull(root, "root");
    if (!Files.exists(root)) {
      throw new NoSuchFileException(root.toString(), null,
          Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              ? "dataset folder is a symbolic link that does not resolve (a loop or a missing target)"
              : "dataset folder does not exist");
    }
    if (!Files.isDirectory(root)) {
      // NotDirectoryException's own message is the bare path ("invalid dataset a.png: a.png").
      throw new NotDirectoryException(root.toString()) {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
          return root + " is a file, expected a dataset folder holding one folder per age "
              + "(e.g. 20/0001.png) or one folder per identity (e.g. anna/25.jpg)";
        }
      };
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(Files::isDirectory)
          .sorted()
          .collect(Collectors.toList());
    }
  }

  /** The image files directly in a folder (hidden files and other extensions ignored), sorted. */
  private static List<Path> images(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> {
        String name = f.getFileName().toString();
        return !name.startsWith(".") && Files.isRegularFile(f) && Images.isImageFile(name);
      }).sorted().collect(Collectors.toList());
    }
  }

  private static String stem(Path f) {
    String name = f.getFileName().toString();
    return name.substring(0, name.lastIndexOf('.'));
  }

  private static boolean allImagesNamedByAge(List<Path> dirs) throws IOException {
    boolean any = false;
    for (Path d : dirs) {
      for (Path f : images(d)) {
        if (parseAge(stem(f)) == null) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  private static DatasetLayout scanIdentityFolders(Path root, List<Path> dirs) throws IOException {
    if (dirs.isEmpty()) {
      throw new IOException("no identity folders in " + root + "; expected "
          + Structure.IDENTITY_FOLDERS.pattern() + ", e.g. " + root.resolve("alice").resolve("25.jpg"));
    }
    TreeMap<Integer, Map<String, Path>> byAge = new TreeMap<>();
    TreeSet<String> ids = new TreeSet<>();
    for (Path d : dirs) {
      String id = d.getFileName().toString();
      for (Path f : images(d)) {
        Integer age = parseAge(stem(f));
        if (age == null) {
          throw new IOException("images in identity folders must be named by a whole number of "
              + "years (e.g. 25.jpg), but " + d + " holds " + f.getFileName());
        }
        Path prev = byAge.computeIfAbsent(age, a -> new HashMap<>()).put(id, f);
        if (prev != null) {
          throw new IOException("identity " + id + " has age " + age + " twice in " + d + ": "
              + prev.getFileName() + " and " + f.getFileName());
        }
        ids.add(id);
      }
    }
    ImmutableMap.Builder<Integer, ImmutableMap<String, Path>> files = ImmutableMap.builder();
    byAge.forEach((age, row) -> files.put(age, ImmutableMap.copyOf(new TreeMap<>(row))));
    return new DatasetLayout(root, Structure.IDENTITY_FOLDERS, ImmutableList.copyOf(byAge.keySet()),
        ImmutableList.copyOf(ids), files.build());
  }

  /**
   * Scans the reference layout.
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
  private static DatasetLayout scanAgeFolders(Path root, List<Path> dirs) throws IOException {
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
              + " (and its folders' images are not all named by ages either, as in "
              + Structure.IDENTITY_FOLDERS.pattern() + ")"
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
    return new DatasetLayout(root, Structure.AGE_FOLDERS, ImmutableList.copyOf(byAge.keySet()),
        ImmutableList.copyOf(ids), files.build());
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

  /** {@return how the folder is organised} */
  public Structure structure() {
    return structure;
  }

  /**
   * Returns the ages one identity has an image at.
   *
   * @param identity an identity from {@link #identities()}
   * @return its ages, ascending
   */
  public ImmutableList<Integer> agesOf(String identity) {
    return ages.stream().filter(a -> files.get(a).containsKey(identity))
        .collect(ImmutableList.toImmutableList());
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
