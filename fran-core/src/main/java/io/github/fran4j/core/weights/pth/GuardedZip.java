package io.github.fran4j.core.weights.pth;

import io.github.fran4j.core.ModelFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A {@link ZipFile} opened only after its central directory passed the {@link Limits}: entry
 * count, entry and total declared sizes, compression ratio, and entry names (no absolute paths,
 * {@code ..} segments, backslashes, drive letters, control characters or duplicates). Reads check
 * the real size against the declared one, so a lying header cannot inflate past it.
 *
 * <p>Nothing is ever extracted to disk. Not thread-safe; close it when done (idempotent).
 */
final class GuardedZip implements Closeable {
  private static final long RATIO_CHECK_FLOOR = 1L << 20;

  private final ZipFile zip;
  private final String source;
  private final Limits limits;
  private final Map<String, ZipEntry> entries = new HashMap<>();
  private long totalRead;

  GuardedZip(Path file, Limits limits) throws IOException {
    this.source = file.toString();
    this.limits = limits;
    long fileSize = Files.size(file);
    try {
      this.zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new ModelFormatException(
          source + ": not a readable zip archive (" + e.getMessage() + "); the file is truncated"
              + " or corrupt. Re-download or re-save it with torch.save", e);
    }
    try {
      scan(fileSize);
    } catch (RuntimeException e) {
      zip.close();
      throw e;
    }
  }

  private void scan(long fileSize) throws ModelFormatException {
    long declaredTotal = 0;
    Enumeration<? extends ZipEntry> en = zip.entries();
    while (en.hasMoreElements()) {
      ZipEntry e = en.nextElement();
      if (entries.size() >= limits.maxEntries()) {
        throw new ModelFormatException(
            source + ": more than " + limits.maxEntries() + " zip entries; refusing to read it");
      }
      String name = e.getName();
      checkName(name);
      if (entries.put(name, e) != null) {
        throw new ModelFormatException(source + ": duplicate zip entry '" + name + "'");
      }
      long size = e.getSize();
      long csize = e.getCompressedSize();
      if (size < 0 || csize < 0) {
        throw new ModelFormatException(source + ": zip entry '" + name + "' has no declared size");
      }
      if (size > limits.maxEntryBytes()) {
        throw new ModelFormatException(
            source + ": zip entry '" + name + "' declares " + size + " bytes, over the limit of "
                + limits.maxEntryBytes() + " (raise it with PthReader.builder()"
                + ".optMaxEntryBytes if the file is genuine)");
      }
      if (csize > fileSize) {
        throw new ModelFormatException(
            source + ": zip entry '" + name + "' declares " + csize + " compressed bytes but the"
                + " file has only " + fileSize);
      }
      if (e.getMethod() == ZipEntry.STORED && csize != size) {
        throw new ModelFormatException(
            source + ": stored zip entry '" + name + "' declares " + size + " bytes but occupies "
                + csize);
      }
      if (size > RATIO_CHECK_FLOOR && size / Math.max(csize, 1) > limits.maxCompressionRatio()) {
        throw new ModelFormatException(
            source + ": zip entry '" + name + "' expands " + size + "/" + csize + " times, over"
                + " the limit of " + limits.maxCompressionRatio() + " (a zip bomb?); torch.save"
                + " never compresses");
      }
      declaredTotal += size;
      if (declaredTotal > limits.maxTotalBytes()) {
        throw new ModelFormatException(
            source + ": zip entries declare more than " + limits.maxTotalBytes()
                + " bytes in total (raise it with PthReader.builder().optMaxTotalBytes if the file"
                + " is genuine)");
      }
    }
  }

  private void checkName(String name) throws ModelFormatException {
    boolean bad =
        name.isEmpty()
            || name.startsWith("/")
            || name.indexOf('\\') >= 0
            || (name.length() > 1 && name.charAt(1) == ':');
    for (int i = 0; i < name.length() && !bad; i++) {
      bad = name.charAt(i) < 0x20 || name.charAt(i) == 0x7F;
    }
    for (String segment : name.split("/", -1)) {
      bad |= segment.equals("..") || segment.equals(".");
    }
    if (bad) {
      throw new ModelFormatException(
          source + ": unsafe zip entry name '" + printable(name) + "' (absolute path, '..', '.',"
              + " backslash, drive letter or control character); refusing to read the file");
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 200; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7F ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return sb.toString();
  }

  /** Returns the names of all entries. */
  Iterable<String> names() {
    return entries.keySet();
  }

  /** Returns whether an entry exists. */
  boolean contains(String name) {
    return entries.containsKey(name);
  }

  /** Returns an entry's declared uncompressed size, or -1 if absent. */
  long size(String name) {
    ZipEntry e = entries.get(name);
    return e == null ? -1 : e.getSize();
  }

  /**
   * Reads an entry completely, checking that it holds exactly its declared size.
   *
   * @param name the entry name
   * @param max the most bytes accepted for this entry (besides the reader's limits)
   * @return its bytes
   * @throws ModelFormatException if it is absent, too large, or shorter or longer than declared
   */
  byte[] read(String name, long max) throws IOException {
    ZipEntry e = entries.get(name);
    if (e == null) {
      throw new ModelFormatException(source + ": missing zip entry '" + name + "'");
    }
    long size = e.getSize();
    if (size > max || size > Integer.MAX_VALUE - 8) {
      throw new ModelFormatException(
          source + ": zip entry '" + name + "' declares " + size + " bytes, over the limit of "
              + Math.min(max, Integer.MAX_VALUE - 8));
    }
    if (totalRead + size > limits.maxTotalBytes()) {
      throw new ModelFormatException(
          source + ": reading '" + name + "' would exceed the limit of " + limits.maxTotalBytes()
              + " bytes in total");
    }
    byte[] b;
    try (InputStream in = zip.getInputStream(e)) {
      b = in.readNBytes((int) size);
      if (b.length < size) {
        throw new ModelFormatException(
            source + ": zip entry '" + name + "' holds " + b.length + " bytes, but declares "
                + size + " (truncated file?)");
      }
      if (in.read() != -1) {
        throw new ModelFormatException(
            source + ": zip entry '" + name + "' holds more than its declared " + size
                + " bytes (a zip bomb or a corrupt header); refusing to read it");
      }
    } catch (ZipException ex) {
      throw new ModelFormatException(
          source + ": zip entry '" + name + "' is corrupt: " + ex.getMessage(), ex);
    }
    totalRead += size;
    return b;
  }

  @Override
  public void close() throws IOException {
    zip.close();
  }
}
