package io.github.fran4j.examples.cli;

import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.training.data.synth.SyntheticAgingDataset;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fran synth}: renders the procedural aging dataset into the {@code DIR/{age}/{id}.png}
 * layout (or {@code DIR/train} and {@code DIR/val}), optionally with a contact sheet.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Render a synthetic aging dataset: each identity at every age, written as DIR/{age}/{id}.png"
          + " (or DIR/train and DIR/val with --val). Same seed, same bytes."
    })
public final class SynthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
  Path out;

  @Option(
      names = "--identities",
      defaultValue = "64",
      paramLabel = "N",
      description = "Number of identities (default: ${DEFAULT-VALUE}).")
  int identities;

  @Option(
      names = "--size",
      defaultValue = "256",
      paramLabel = "PX",
      description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(
      names = "--ages",
      defaultValue = "10:85:5",
      paramLabel = "FROM:TO:STEP",
      description = "Ages as FROM:TO:STEP or a list such as 20,40,60 (default: ${DEFAULT-VALUE}).")
  String ages;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--val",
      defaultValue = "0",
      paramLabel = "N",
      description = "Put the last N identities under DIR/val and the rest under DIR/train (default: no split).")
  int val;

  @Option(
      names = "--threads",
      defaultValue = "0",
      paramLabel = "N",
      description = "Rendering threads, 0 = all cores (the output does not depend on it).")
  int threads;

  @Option(
      names = "--contact-sheet",
      paramLabel = "FILE",
      description = "Also write a PNG contact sheet (rows: the first identities, columns: ages).")
  Path contactSheet;

  @Option(
      names = "--sheet-rows",
      defaultValue = "6",
      paramLabel = "N",
      description = "Identities on the contact sheet (default: ${DEFAULT-VALUE}).")
  int sheetRows;

  @Option(
      names = "--sheet-cell",
      defaultValue = "96",
      paramLabel = "PX",
      description = "Portrait size on the contact sheet (default: ${DEFAULT-VALUE}).")
  int sheetCell;

  @Option(names = "--overwrite",
      description = "Write into a non-empty --out folder (same-named images are replaced).")
  boolean overwrite;

  @Override
  public Integer call() throws Exception {
    OptionChecks.of(spec.commandLine()).atLeast("--identities", identities, 1)
        .inRange("--size", size, 16, 4096).atLeast("--threads", threads, 0)
        .atLeast("--sheet-rows", sheetRows, 1).atLeast("--sheet-cell", sheetCell, 16)
        .onlyWhen("--sheet-rows", contactSheet != null, "without --contact-sheet")
        .onlyWhen("--sheet-cell", contactSheet != null, "without --contact-sheet");
    try {
      SyntheticAgingDataset.parseAges(ages);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--ages: " + e.getMessage(), e);
    }
    String refused = OutputFolders.refusal("--out", out, d -> false, overwrite);
    if (refused != null) {
      throw new ParameterException(spec.commandLine(), refused);
    }
    SyntheticAgingDataset ds;
    try {
      ds =
          SyntheticAgingDataset.builder()
              .optIdentities(identities)
              .optSize(size)
              .optAges(SyntheticAgingDataset.parseAges(ages))
              .optSeed(seed)
              .optThreads(threads)
              .build();
      if (val != 0 && (val < 0 || val >= identities)) {
        throw new IllegalArgumentException(
            "--val must be in [1, " + (identities - 1) + "] for " + identities + " identities, got "
                + val);
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter w = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    if (val > 0) {
      ds.writeSplit(out, val);
    } else {
      ds.write(out);
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    int images = identities * ds.ages().size();
    w.printf(
        Locale.ROOT,
        "wrote %d images (%d identities x %d ages %s, %dx%d px, seed %d) to %s in %.1f s%n",
        images,
        identities,
        ds.ages().size(),
        ds.ages(),
        size,
        size,
        seed,
        out,
        secs);
    if (contactSheet != null) {
      List<Integer> rows = new ArrayList<>();
      for (int i = 0; i < Math.min(sheetRows, identities); i++) {
        rows.add(i);
      }
      BufferedImage sheet = ds.contactSheet(rows, ds.ages(), sheetCell);
      Path parent = contactSheet.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Photos.write(sheet, contactSheet);
      w.printf(Locale.ROOT, "wrote contact sheet %s (%dx%d)%n", contactSheet, sheet.getWidth(),
          sheet.getHeight());
    }
    w.flush();
    return 0;
  }
}
