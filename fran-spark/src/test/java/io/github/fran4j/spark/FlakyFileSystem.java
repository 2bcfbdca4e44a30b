package io.github.fran4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.apache.spark.TaskContext;

/**
 * The local file system under the scheme {@code flaky:}, where the first attempt of every task
 * dies while writing its second image: half the bytes reach the file, then the write throws, as
 * when an executor is killed mid-partition. Later attempts write normally.
 */
public final class FlakyFileSystem extends RawLocalFileSystem {
  /** Scratch files that were cut off. */
  static final Set<String> CUT = ConcurrentHashMap.newKeySet();
  private static final Map<Long, AtomicInteger> IMAGES_PER_ATTEMPT = new ConcurrentHashMap<>();

  @Override
  public URI getUri() {
    return URI.create("flaky:///");
  }

  @Override
  public String getScheme() {
    return "flaky";
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite,
      int bufferSize, short replication, long blockSize, Progressable progress) throws IOException {
    FSDataOutputStream real =
        super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
    return maybeCut(f, real);
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    return maybeCut(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream maybeCut(Path f, FSDataOutputStream real) throws IOException {
    TaskContext t = TaskContext.get();
    if (t == null || t.attemptNumber() > 0 || !f.toString().contains(OutputLayout.SCRATCH)) {
      return real;
    }
    int n = IMAGES_PER_ATTEMPT.computeIfAbsent(t.taskAttemptId(), k -> new AtomicInteger())
        .incrementAndGet();
    if (n < 2) {
      return real;
    }
    OutputStream cut = new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        real.write(b, off, len / 2);
        real.flush();
        CUT.add(f.toUri().getPath());
        throw new IOException("injected: executor lost while writing " + f);
      }

      @Override
      public void close() throws IOException {
        real.close();
      }
    };
    return new FSDataOutputStream(cut, null);
  }
}
