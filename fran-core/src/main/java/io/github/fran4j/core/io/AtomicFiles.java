package io.github.fran4j.core.io;

import static com.google.common.base.Preconditions.checkNotNull;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes files atomically: the content goes to a temporary file in the target's folder, is forced
 * to disk, and is then renamed over the target. Readers see the old file or the new one, never a
 * part; on any failure (a full disk, an encoder error, an exception in the caller's code) the
 * target is left exactly as it was and the temporary file is removed. This is what makes writing
 * over an input safe: {@code fran reage --input a.png --output a.png} keeps {@code a.png} intact
 * unless the new image is complete.
 *
 * <p>The temporary file is named {@code .NAME.RANDOM.tmp} (hidden, so folder listings skip it) and
 * is created with the default permissions, not {@link Files#createTempFile}'s owner-only ones,
 * which would stick to the published file. Thread-safe (stateless); two writers of one target
 * both succeed and the last rename wins.
 */
public final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** Writes a file's content to a stream; the stream is closed by {@link AtomicFiles}. */
  @FunctionalInterface
  public interface Content {
    /**
     * Writes the content.
     *
     * @param out the temporary file's stream (buffered; do not close it)
     * @throws IOException if writing fails; the target is then left untouched
     */
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes a file atomically.
   *
   * @param target the file to create or replace; its folder must exist
   * @param content writes the bytes
   * @throws IOException if the target is a folder, its folder is missing
   *     ({@link NoSuchFileException}), or writing, syncing or
   *     renaming fails (the message names the target); the target is then unchanged
   */
  public static void write(Path target, Content content) throws IOException {
    checkNotNull(target, "target");
    checkNotNull(content, "content");
    Path abs = target.toAbsolutePath();
    if (Files.isDirectory(abs)) {
      throw new FileSystemException(abs.toString(), null,
          "is a folder, expected a file name (e.g. " + abs.resolve("out.png") + ")");
    }
    Path dir = abs.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new NoSuchFileException(abs.toString(), null,
          "cannot write: folder " + dir + " does not exist");
    }
    Path tmp = dir.resolve(
        "." + abs.getFileName() + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
    boolean moved = false;
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16) {
          @Override
          public void close() throws IOException {
            flush(); // the channel is ours to close, after the sync below
          }
        };
        content.writeTo(out);
        out.flush();
        // Make the bytes durable before the rename publishes them.
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        // Same folder, so this is still a rename on every common file system.
        Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
    } catch (IOException e) {
      throw new IOException("cannot write " + abs + ": " + e.getMessage()
          + " (the previous content, if any, is unchanged)", e);
    } finally {
      if (!moved) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  /**
   * Writes bytes atomically.
   *
   * @param target the file to create or replace
   * @param bytes the content
   * @throws IOException as for {@link #write(Path, Content)}
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    checkNotNull(bytes, "bytes");
    write(target, out -> out.write(bytes));
  }

  /**
   * Writes UTF-8 text atomically.
   *
   * @param target the file to create or replace
   * @param text the content
   * @throws IOException as for {@link #write(Path, Content)}
   */
  public static void writeString(Path target, CharSequence text) throws IOException {
    checkNotNull(text, "text");
    write(target, text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
