package io.github.fran4j.core.weights.pth;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes pickle opcodes by hand and wraps them in torch.save-like zips, for hostile tests. */
final class PickleBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static PickleBuilder proto2() {
    return new PickleBuilder().raw(0x80, 2);
  }

  PickleBuilder raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  PickleBuilder op(char c) {
    return raw(c);
  }

  PickleBuilder str(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    raw('X');
    le32(b.length);
    out.writeBytes(b);
    return this;
  }

  PickleBuilder le32(int v) {
    out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
    return this;
  }

  PickleBuilder integer(int v) {
    return raw('J').le32(v);
  }

  PickleBuilder global(String module, String name) {
    out.writeBytes(("c" + module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    return this;
  }

  PickleBuilder ints(long... v) {
    op('(');
    for (long x : v) {
      integer((int) x);
    }
    return op('t');
  }

  /** Pushes a tensor built by _rebuild_tensor_v2 from storage {@code key}. */
  PickleBuilder tensor(String storageType, String key, long numel, long offset, long[] size,
      long[] stride) {
    global("torch._utils", "_rebuild_tensor_v2").op('(');
    op('(').str("storage").global("torch", storageType).str(key).str("cpu").integer((int) numel)
        .op('t').op('Q');
    integer((int) offset).ints(size).ints(stride).raw(0x89);
    global("collections", "OrderedDict").op(')').op('R');
    return op('t').op('R');
  }

  byte[] stop() {
    out.write('.');
    return out.toByteArray();
  }

  /** Writes a zip whose entries are given in order, deflated. */
  static Path zip(Path file, Map<String, byte[]> entries) {
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        z.putNextEntry(new ZipEntry(e.getKey()));
        z.write(e.getValue());
        z.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  static byte[] floatsLe(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }
}
