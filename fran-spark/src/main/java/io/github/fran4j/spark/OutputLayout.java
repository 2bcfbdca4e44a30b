package io.github.fran4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where outputs go: each input below {@code inputRoot} is written at the same relative path below
 * {@code outputRoot}, its extension changed when a format is set. Also carries the driver's
 * Hadoop configuration (credentials, file-system settings) to the executors. Immutable.
 */
final class OutputLayout implements Serializable {
  private static final long serialVersionUID = 1L;
  /** Scratch folder below the output root for files being written (see {@link AtomicFiles}). */
  static final String SCRATCH = "_fran_temporary";

  private final String inputRoot;
  private final String outputRoot;
  private final String format;
  private final Map<String, String> conf;

  private OutputLayout(String inputRoot, String outputRoot, String format, Map<String, String> conf) {
    this.inputRoot = inputRoot;
    this.outputRoot = outputRoot;
    this.format = format;
    this.conf = conf;
  }

  /**
   * Creates the layout on the driver, with both roots fully qualified (as Spark lists files).
   *
   * @throws IllegalArgumentException if the output folder is inside the input folder (the outputs
   *     would be inputs of the next run)
   */
  static OutputLayout of(String inputRoot, String outputRoot, Optional<String> format,
      Configuration conf) throws IOException {
    String in = qualified(inputRoot, conf);
    String out = qualified(outputRoot, conf);
    checkArgument(!(out + "/").startsWith(in + "/"),
        "the output folder %s must not be inside the input folder %s", outputRoot, inputRoot);
    return new OutputLayout(in, out, format.orElse(null), copy(conf));
  }

  /** Returns a Hadoop configuration's entries, to ship to executors. */
  static HashMap<String, String> copy(Configuration conf) {
    HashMap<String, String> copy = new HashMap<>();
    for (Map.Entry<String, String> e : conf) {
      copy.put(e.getKey(), e.getValue());
    }
    return copy;
  }

  /** Returns a Hadoop configuration with these entries (and no defaults). */
  static Configuration configuration(Map<String, String> entries) {
    Configuration c = new Configuration(false);
    entries.forEach(c::set);
    return c;
  }

  private static String qualified(String dir, Configuration conf) throws IOException {
    Path p = new Path(dir);
    String q = p.getFileSystem(conf).makeQualified(p).toString();
    return q.endsWith("/") ? q.substring(0, q.length() - 1) : q;
  }

  /** Returns the output root, qualified. */
  String outputRoot() {
    return outputRoot;
  }

  /** Returns a Hadoop configuration equal to the driver's. */
  Configuration configuration() {
    return configuration(conf);
  }

  /**
   * Returns the output file for an input file.
   *
   * @throws IllegalArgumentException if the input is not below the input root
   */
  String outputFor(String input) {
    String q = input;
    if (!q.startsWith(inputRoot + "/")) {
      // binaryFile lists "file:/x"; a table may hold "file:///x" or a bare path.
      q = new Path(input).toUri().getPath();
      String rootPath = new Path(inputRoot).toUri().getPath();
      checkArgument(q.startsWith(rootPath + "/"), "%s is not inside the input folder %s", input,
          inputRoot);
      q = inputRoot + q.substring(rootPath.length());
    }
    String rel = q.substring(inputRoot.length() + 1);
    return outputRoot + "/" + (format == null ? rel : withExtension(rel, format));
  }

  /** Returns the format an output is encoded in: the set one, else the input's extension. */
  static String formatOf(String outputFile) {
    String name = new Path(outputFile).getName();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "png" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String withExtension(String rel, String ext) {
    int slash = rel.lastIndexOf('/');
    int dot = rel.lastIndexOf('.');
    return (dot > slash ? rel.substring(0, dot) : rel) + "." + ext;
  }

  /** Returns the scratch file an attempt writes before renaming it to {@code outputFile}. */
  Path scratchFor(String outputFile, long taskAttemptId) {
    String rel = outputFile.substring(outputRoot.length() + 1);
    return new Path(outputRoot + "/" + SCRATCH + "/attempt-" + taskAttemptId + "/" + rel);
  }

  /** Returns the file system of the output root. */
  FileSystem outputFileSystem(Configuration c) throws IOException {
    return AtomicFiles.fileSystem(new Path(outputRoot), c);
  }
}
