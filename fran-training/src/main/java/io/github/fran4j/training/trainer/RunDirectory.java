package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.weights.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files of a training run:
 *
 * <pre>
 * RUN/run.json                 settings, LPIPS on/off, start time
 * RUN/metrics.csv              one row per epoch
 * RUN/losses.csv               one row per training step, flushed as it ends
 * RUN/losses.png, validation.png
 * RUN/samples/epoch-0001.png   input | target | prediction
 * RUN/model.safetensors        latest generator (loadable by ReAger)
 * RUN/checkpoints/step-00000123/{generator,discriminator,optimizer-g,optimizer-d}.safetensors
 *                              + state.json
 * </pre>
 *
 * <p>Checkpoints are written into a hidden temporary folder and renamed into place in one atomic
 * move, so a crash, a full disk or Ctrl-C never leaves a half-written checkpoint under its final
 * name; leftover temporary folders are deleted on the next start. Only the newest N are kept.
 * Not thread-safe.
 */
public final class RunDirectory {
  /** The version of {@code state.json}. */
  public static final int STATE_VERSION = 1;

  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeNulls().create();
  private static final String PREFIX = "step-";
  private static final String TMP_PREFIX = ".tmp-";

  private final Path root;

  /**
   * Wraps a run directory (nothing is created yet).
   *
   * @param root the run directory
   */
  public RunDirectory(Path root) {
    this.root = checkNotNull(root, "root").toAbsolutePath().normalize();
  }

  /** {@return the run directory} */
  public Path root() {
    return root;
  }

  /** {@return the checkpoints folder} */
  public Path checkpointsDir() {
    return root.resolve("checkpoints");
  }

  /** {@return {@code metrics.csv}} */
  public Path metricsFile() {
    return root.resolve("metrics.csv");
  }

  /** {@return {@code losses.csv}, one row per training step} */
  public Path lossesFile() {
    return root.resolve("losses.csv");
  }

  /** {@return the samples folder} */
  public Path samplesDir() {
    return root.resolve("samples");
  }

  /** {@return the latest generator, {@code model.safetensors}} */
  public Path modelFile() {
    return root.resolve("model.safetensors");
  }

  /**
   * Creates the directory tree, checks that it is writable and that it fits the mode, and removes
   * temporary folders left by an interrupted checkpoint.
   *
   * @param resume whether the run continues from a checkpoint
   * @throws RunDirectoryException if the directory is not writable, already holds checkpoints while
   *     not resuming, or holds none while resuming
   */
  public void prepare(boolean resume) throws RunDirectoryException {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new RunDirectoryException("run directory " + root + " is a file; choose a folder");
    }
    try {
      Files.createDirectories(checkpointsDir());
      Files.createDirectories(samplesDir());
      Path probe = Files.createTempFile(root, ".probe-", ".tmp");
      Files.delete(probe);
    } catch (IOException e) {
      throw new RunDirectoryException(
          "run directory " + root + " is not writable (" + e + "); choose another --out or fix "
              + "its permissions",
          e);
    }
    deleteTemporaries();
    boolean has = latestCheckpoint().isPresent();
    if (resume && !has) {
      throw new RunDirectoryException(
          "nothing to resume in " + root + ": it holds no checkpoint; drop --resume to start a "
              + "new run");
    }
    if (!resume && has) {
      throw new RunDirectoryException(
          "run directory " + root + " already holds checkpoints; pass --resume to continue that "
              + "run or choose another --out");
    }
  }

  /** {@return the newest complete checkpoint folder, if any} */
  public Optional<Path> latestCheckpoint() {
    List<Path> all = checkpoints();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** {@return the complete checkpoint folders, oldest first} */
  public List<Path> checkpoints() {
    if (!Files.isDirectory(checkpointsDir())) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(checkpointsDir())) {
      return s.filter(p -> p.getFileName().toString().startsWith(PREFIX))
          .filter(p -> Files.isRegularFile(p.resolve("state.json")))
          .sorted(Comparator.comparing(p -> p.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + checkpointsDir(), e);
    }
  }

  /**
   * Writes a checkpoint atomically and keeps only the newest {@code keep}.
   *
   * @param c the checkpoint
   * @param keep how many checkpoints to keep, at least 1
   * @return the checkpoint folder
   * @throws IOException if writing fails (nothing is left under the final name)
   */
  public Path writeCheckpoint(Checkpoint c, int keep) throws IOException {
    String name = String.format("%s%08d", PREFIX, c.globalStep());
    Path finalDir = checkpointsDir().resolve(name);
    Path tmp = checkpointsDir().resolve(TMP_PREFIX + name);
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      SafeTensors.write(c.generator(), tmp.resolve("generator.safetensors"));
      SafeTensors.write(c.discriminator(), tmp.resolve("discriminator.safetensors"));
      SafeTensors.write(c.optimizerG(), tmp.resolve("optimizer-g.safetensors"));
      SafeTensors.write(c.optimizerD(), tmp.resolve("optimizer-d.safetensors"));
      JsonObject state = new JsonObject();
      state.addProperty("version", STATE_VERSION);
      state.addProperty("epoch", c.epoch());
      state.addProperty("batch", c.batch());
      state.addProperty("global_step", c.globalStep());
      JsonObject sched = new JsonObject();
      sched.addProperty("type", "StepLR");
      sched.addProperty("last_epoch", c.epoch());
      state.add("scheduler", sched);
      state.add("resume_key", c.resumeKey());
      // state.json last: a folder is only considered complete when it exists.
      Files.writeString(tmp.resolve("state.json"), GSON.toJson(state), StandardCharsets.UTF_8);
      deleteTree(finalDir);
      move(tmp, finalDir);
    } catch (IOException | RuntimeException e) {
      try {
        deleteTree(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new IOException("could not write checkpoint " + finalDir + ": " + e.getMessage(), e);
    }
    List<Path> all = checkpoints();
    for (int i = 0; i < all.size() - keep; i++) {
      deleteTree(all.get(i));
    }
    return finalDir;
  }

  /**
   * Writes the generator as {@code model.safetensors} (temporary file, then atomic rename).
   *
   * @param generator generator weights with UNetConfig metadata
   * @throws IOException if writing fails
   */
  public void writeModel(io.github.fran4j.core.weights.StateDict generator) throws IOException {
    SafeTensors.write(generator, modelFile()); // atomic itself
  }

  /**
   * Reads a checkpoint folder.
   *
   * @param dir a folder written by {@link #writeCheckpoint}
   * @return the checkpoint
   * @throws ModelFormatException if a file is corrupt or of an unknown version
   * @throws IOException if a file cannot be read
   */
  public static Checkpoint readCheckpoint(Path dir) throws IOException {
    JsonObject s;
    try {
      s = JsonParser.parseString(
              Files.readString(dir.resolve("state.json"), StandardCharsets.UTF_8))
          .getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      throw new ModelFormatException("corrupt " + dir.resolve("state.json") + ": " + e.getMessage(),
          e);
    }
    Path state = dir.resolve("state.json");
    long version = number(s, "version", state);
    if (version != STATE_VERSION) {
      throw new ModelFormatException(
          state + ": expected version " + STATE_VERSION + ", got " + version);
    }
    JsonElement key = s.get("resume_key");
    if (key == null || !key.isJsonObject()) {
      throw new ModelFormatException(state + ": field 'resume_key' is " + (key == null
          ? "missing" : key) + ", expected an object (the checkpoint is damaged)");
    }
    return new Checkpoint(
        number(s, "epoch", state),
        (int) number(s, "batch", state),
        number(s, "global_step", state),
        SafeTensors.read(dir.resolve("generator.safetensors")),
        SafeTensors.read(dir.resolve("discriminator.safetensors")),
        SafeTensors.read(dir.resolve("optimizer-g.safetensors")),
        SafeTensors.read(dir.resolve("optimizer-d.safetensors")),
        key.getAsJsonObject());
  }

  /** Reads a required non-negative integer field of state.json, naming it when it is not one. */
  private static long number(JsonObject s, String field, Path file) throws ModelFormatException {
    JsonElement v = s.get(field);
    if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
      throw new ModelFormatException(file + ": field '" + field + "' is "
          + (v == null ? "missing" : v.toString()) + ", expected a non-negative integer (the "
          + "checkpoint is damaged)");
    }
    double d = v.getAsDouble();
    if (!(d >= 0) || d != Math.rint(d) || d > Integer.MAX_VALUE * 1024.0 * 1024.0) {
      throw new ModelFormatException(file + ": field '" + field + "' is " + v
          + ", expected a non-negative integer (the checkpoint is damaged)");
    }
    return v.getAsLong();
  }

  /**
   * Writes {@code run.json} (atomically).
   *
   * @param json the run metadata
   * @throws IOException if writing fails
   */
  public void writeRunInfo(JsonObject json) throws IOException {
    writeAtomically(root.resolve("run.json"), GSON.toJson(json));
  }

  /**
   * Writes a text file through a temporary file and an atomic rename.
   *
   * @param target the file
   * @param text its content
   * @throws IOException if writing fails
   */
  static void writeAtomically(Path target, String text) throws IOException {
    AtomicFiles.writeString(target, text);
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private void deleteTemporaries() throws RunDirectoryException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(checkpointsDir(), TMP_PREFIX + "*")) {
      List<Path> tmps = new ArrayList<>();
      ds.forEach(tmps::add);
      for (Path p : tmps) {
        deleteTree(p);
      }
    } catch (IOException e) {
      throw new RunDirectoryException("cannot clean temporary files in " + checkpointsDir(), e);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}
