package io.github.fran4j.onnx.eval;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.AgeMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A photo and the age of the person in it. The age comes from the file name ({@code name_35.jpg}:
 * the number after the last underscore) or from a CSV of {@code file,age} lines (a header line
 * is allowed). Immutable.
 *
 * @param file the image file
 * @param age the person's age in years
 */
public record LabelledPhoto(Path file, double age) {
  private static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif");
  private static final Pattern AGE_IN_NAME = Pattern.compile(".*_(\\d{1,3}(?:\\.\\d+)?)");

  /**
   * Creates a labelled photo.
   *
   * @param file the image file
   * @param age the age
   */
  public LabelledPhoto {
    checkNotNull(file, "file");
    AgeMap.checkAge(age, "age of " + file);
  }

  /**
   * Lists the images of a folder (sorted by name) with their ages.
   *
   * @param dir the folder (not searched recursively)
   * @param agesCsv a CSV of {@code file,age} lines, or null to read ages from the file names
   * @return the photos
   * @throws NoSuchFileException if the folder or the CSV does not exist
   * @throws IllegalArgumentException naming the file when a photo has no age, the CSV names a file
   *     that is not in the folder, or the folder holds no image
   */
  public static List<LabelledPhoto> scan(Path dir, Path agesCsv) throws IOException {
    checkNotNull(dir, "dir");
    if (!Files.exists(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "photo folder not found");
    }
    if (!Files.isDirectory(dir)) {
      throw new NotDirectoryException(dir.toString());
    }
    List<Path> images;
    try (Stream<Path> s = Files.list(dir)) {
      images = s.filter(Files::isRegularFile).filter(p -> EXTENSIONS.contains(extension(p)))
          .sorted().toList();
    }
    checkArgument(!images.isEmpty(), "%s holds no image (%s)", dir, EXTENSIONS);
    Map<String, Double> ages = agesCsv == null ? null : readCsv(agesCsv);
    List<LabelledPhoto> out = new ArrayList<>();
    for (Path p : images) {
      String name = p.getFileName().toString();
      Double age;
      if (ages != null) {
        age = ages.remove(name);
        checkArgument(age != null, "%s: no age for %s in %s", dir, name, agesCsv);
      } else {
        age = ageFromName(name);
        checkArgument(age != null, "%s: no age in the file name (expected name_AGE.ext, e.g. "
            + "anna_35.jpg), or give --ages-csv", p);
      }
      out.add(new LabelledPhoto(p, age));
    }
    if (ages != null && !ages.isEmpty()) {
      throw new IllegalArgumentException(agesCsv + " names files that are not images in " + dir
          + ": " + ages.keySet());
    }
    return out;
  }

  /**
   * Reads the age from a file name {@code name_AGE.ext}.
   *
   * @param fileName the file name
   * @return the age, or null when the name carries none
   */
  static Double ageFromName(String fileName) {
    int dot = fileName.lastIndexOf('.');
    String stem = dot > 0 ? fileName.substring(0, dot) : fileName;
    Matcher m = AGE_IN_NAME.matcher(stem);
    return m.matches() ? Double.valueOf(m.group(1)) : null;
  }

  private static Map<String, Double> readCsv(Path csv) throws IOException {
    if (!Files.isRegularFile(csv)) {
      throw new NoSuchFileException(csv.toString(), null, "ages CSV not found");
    }
    Map<String, Double> ages = new HashMap<>();
    List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] f = line.split(",");
      if (f.length != 2) {
        throw new IllegalArgumentException(csv + " line " + (i + 1) + ": expected file,age, got "
            + line);
      }
      double age;
      try {
        age = Double.parseDouble(f[1].trim());
      } catch (NumberFormatException e) {
        if (i == 0 || ages.isEmpty()) {
          continue; // a header line
        }
        throw new IllegalArgumentException(csv + " line " + (i + 1) + ": the age is not a number: "
            + f[1].trim(), e);
      }
      String name = Path.of(f[0].trim()).getFileName().toString();
      if (ages.put(name, age) != null) {
        throw new IllegalArgumentException(csv + " line " + (i + 1) + ": " + name + " is listed "
            + "twice");
      }
    }
    return ages;
  }

  private static String extension(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
  }
}
