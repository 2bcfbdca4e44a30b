package io.github.fran4j.examples.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The rules for the folders commands write into, so that no command replaces data it did not
 * write: a non-empty folder is used only when it is the command's own (a run directory for
 * {@code train}) or with {@code --overwrite}, and an output never lies inside an input.
 */
final class OutputFolders {
  private OutputFolders() {}

  /**
   * Returns the reason a folder may not be written, or null when it may.
   *
   * @param option the option naming the folder, e.g. {@code --out}
   * @param dir the folder
   * @param ours whether a non-empty folder is one this command wrote (and may continue)
   * @param overwrite whether {@code --overwrite} was given
   * @return a one-line reason, or null
   * @throws IOException if the folder cannot be listed
   */
  static String refusal(String option, Path dir, Predicate<Path> ours, boolean overwrite)
      throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS) && !Files.exists(dir)) {
      return null;
    }
    if (!Files.isDirectory(dir)) {
      return option + " " + dir + " is a file, expected a folder";
    }
    boolean empty;
    try (Stream<Path> s = Files.list(dir)) {
      empty = s.findAny().isEmpty();
    }
    if (empty || overwrite || ours.test(dir)) {
      return null;
    }
    return option + " " + dir + " is not empty and was not written by this command; choose a new "
        + "folder, or pass --overwrite to write into it anyway (files with the same names are "
        + "replaced)";
  }

  /**
   * Returns the reason an output may not be at {@code out} given an input folder, or null.
   *
   * @param outOption the output's option
   * @param out the output folder
   * @param inOption the input's option
   * @param in the input folder (may be null)
   * @return a one-line reason, or null
   * @throws IOException if a path cannot be resolved
   */
  static String overlap(String outOption, Path out, String inOption, Path in) throws IOException {
    if (in == null) {
      return null;
    }
    Path o = canonical(out);
    Path i = canonical(in);
    if (o.equals(i)) {
      return outOption + " " + out + " is the same folder as " + inOption + " " + in
          + "; choose an output folder outside the data";
    }
    if (o.startsWith(i)) {
      return outOption + " " + out + " is inside " + inOption + " " + in
          + "; its files would be mixed into the data. Choose a folder outside it";
    }
    return null;
  }

  /** The real path of the longest existing ancestor, with the rest appended (symlinks resolved). */
  private static Path canonical(Path p) throws IOException {
    Path abs = p.toAbsolutePath().normalize();
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return abs;
    }
    return existing.toRealPath().resolve(existing.relativize(abs)).normalize();
  }
}
