package io.github.fran4j.training.data;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes every image of a dataset once, with the rules training reads them by ({@link
 * Images#decode}: a truncated or corrupt file is an error), to find the bad ones before a run
 * spends hours reaching them. Decoding is spread over the common fork-join pool; nothing is kept
 * in memory but the error messages. Thread-safe (stateless).
 */
public final class DatasetCheck {
  /** How many bad files a refusal message names (the count is always complete). */
  public static final int NAMED = 5;

  private DatasetCheck() {}

  /**
   * Decodes every image of the dataset.
   *
   * @param dataset the dataset (its identities, at the ages each has)
   * @return one message per unreadable image, each naming its file, in path order; empty when
   *     every image decodes
   */
  public static ImmutableList<String> unreadable(AgeDataset dataset) {
    checkNotNull(dataset, "dataset");
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < dataset.identityCount(); i++) {
      for (int a : dataset.ageIndicesOf(i)) {
        Path p = dataset.path(i, a);
        if (p != null) {
          files.add(p);
        }
      }
    }
    files.sort(null);
    return files.parallelStream()
        .map(DatasetCheck::error)
        .filter(e -> e != null)
        .collect(ImmutableList.toImmutableList());
  }

  private static String error(Path p) {
    try {
      Images.decode(p);
      return null;
    } catch (IOException | RuntimeException e) {
      String m = e.getMessage();
      return m != null && m.contains(p.toString()) ? m : p + ": " + m;
    }
  }

  /**
   * Describes unreadable images in one line: the count and the first {@link #NAMED}.
   *
   * @param errors messages from {@link #unreadable}, not empty
   * @return e.g. {@code "2 unreadable images: A; B"}
   */
  public static String describe(List<String> errors) {
    checkNotNull(errors, "errors");
    StringBuilder sb = new StringBuilder().append(errors.size())
        .append(errors.size() == 1 ? " unreadable image: " : " unreadable images: ")
        .append(String.join("; ", errors.subList(0, Math.min(NAMED, errors.size()))));
    if (errors.size() > NAMED) {
      sb.append("; and ").append(errors.size() - NAMED).append(" more");
    }
    return sb.toString();
  }
}
