package io.github.fran4j.examples.cli;

import io.github.fran4j.training.data.AgeDataset;
import io.github.fran4j.training.data.DatasetLayout;
import io.github.fran4j.training.data.Images;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fran dataset-info DIR}: prints a dataset's ages, identity count, image sizes and missing
 * cells; exits 0 for a valid dataset and 1 with the reason otherwise. A folder holding splits
 * ({@code train}, {@code val}, ...) is checked split by split.
 */
@Command(
    name = "dataset-info",
    mixinStandardHelpOptions = true,
    description = {
      "Check a dataset laid out as DIR/{age}/{identity}.jpg (or DIR/{split}/{age}/...) or as"
          + " DIR/{identity}/{age}.jpg (recognised by itself; identities may lack ages but need two):"
          + " print ages, identities, image sizes and missing cells. Exit status 0 if valid, 1"
          + " otherwise."
    })
public final class DatasetInfoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The dataset (or split) folder.")
  Path dir;

  @Option(
      names = "--lenient",
      description = "Accept incomplete identities (they are dropped in training) instead of failing.")
  boolean lenient;

  @Option(
      names = "--no-decode",
      description = "Only read image headers, do not decode every image (faster, misses truncation).")
  boolean noDecode;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<Path> splits = splits(dir);
    boolean ok = true;
    for (Path d : splits) {
      if (splits.size() > 1 || !d.equals(dir)) {
        out.println("== " + d.getFileName());
      }
      ok &= check(d, out, err);
    }
    out.flush();
    err.flush();
    return ok ? 0 : 1;
  }

  /** The folder itself, or its sub-folders when none of them is named by an age. */
  private static List<Path> splits(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of(dir);
    }
    List<Path> subs;
    try (Stream<Path> s = Files.list(dir)) {
      subs =
          s.filter(Files::isDirectory)
              .filter(p -> !p.getFileName().toString().startsWith("."))
              .sorted()
              .collect(Collectors.toList());
    } catch (IOException e) {
      return List.of(dir);
    }
    boolean anyAge = subs.stream().anyMatch(p -> p.getFileName().toString().matches("\\d+"));
    boolean allSplits =
        !subs.isEmpty()
            && subs.stream()
                .allMatch(p -> p.getFileName().toString().matches("train|val|valid|validation|test"));
    return !anyAge && allSplits ? subs : List.of(dir);
  }

  private boolean check(Path d, PrintWriter out, PrintWriter err) {
    DatasetLayout layout;
    try {
      layout = DatasetLayout.scan(d);
    } catch (IOException e) {
      err.println("invalid dataset " + d + ": " + e.getMessage());
      return false;
    }
    out.println("folder:      " + d);
    out.println("layout:      " + layout.structure().pattern());
    out.println("ages:        " + layout.ages() + " (" + layout.ages().size() + ")");
    out.println("identities:  " + layout.identities().size());
    out.println("images:      " + layout.fileCount());
    Map<String, Integer> sizes = new TreeMap<>();
    List<String> unreadable = new ArrayList<>();
    for (int age : layout.ages()) {
      for (Path f : layout.filesAt(age).values()) {
        try {
          int[] wh = noDecode ? Images.readSize(f) : size(Images.decode(f));
          sizes.merge(wh[0] + "x" + wh[1], 1, Integer::sum);
        } catch (IOException e) {
          unreadable.add(e.getMessage());
        }
      }
    }
    out.println(
        "image sizes: "
            + sizes.entrySet().stream()
                .map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", ")));
    out.println(
        "missing:     "
            + (layout.missingCells().isEmpty() ? "none" : layout.describeMissing(10)));
    boolean ok = true;
    if (!unreadable.isEmpty()) {
      out.println("unreadable:  " + unreadable.size());
      for (String m : unreadable.subList(0, Math.min(10, unreadable.size()))) {
        out.println("  " + m);
      }
      if (!lenient) {
        err.println(
            "invalid dataset " + d + ": " + unreadable.size() + " unreadable image(s), first: "
                + unreadable.get(0));
        ok = false;
      }
    }
    try {
      AgeDataset ds = AgeDataset.builder(d).optLenient(lenient).build();
      if (!ds.droppedIdentities().isEmpty()) {
        out.println("dropped:     " + ds.droppedIdentities().size() + " incomplete identities (lenient)");
      }
    } catch (IOException e) {
      err.println("invalid dataset " + d + ": " + e.getMessage());
      ok = false;
    }
    out.println("status:      " + (ok ? "valid" : "INVALID"));
    return ok;
  }

  private static int[] size(java.awt.image.BufferedImage img) {
    return new int[] {img.getWidth(), img.getHeight()};
  }
}
