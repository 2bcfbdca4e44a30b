package io.github.fran4j.spark;

import java.io.IOException;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a file so that readers see either nothing or the whole file: the bytes go to a temporary
 * file in a scratch folder of the same file system, which is then renamed to its final name. A task
 * killed mid-write leaves only the scratch file, which the job deletes; a retried task overwrites
 * its earlier output with the same bytes, so there are never duplicates. Stateless.
 *
 * <p>The project's shared atomic-write helper works on {@code java.nio} paths; this one is for
 * Hadoop file systems (HDFS, S3A, local), which Spark jobs write through.
 */
final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Returns the file system for a path, without the client-side checksum files ({@code .crc}) the
   * local one would leave next to every output.
   */
  static FileSystem fileSystem(Path path, org.apache.hadoop.conf.Configuration conf)
      throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    return fs instanceof LocalFileSystem ? ((LocalFileSystem) fs).getRawFileSystem() : fs;
  }

  /**
   * Writes {@code data} to {@code dest} through {@code temp}.
   *
   * @param fs the file system of both paths
   * @param temp the scratch file (its folder is created)
   * @param dest the final file (its folder is created; an existing file is replaced)
   * @param data the content
   * @throws IOException if writing or renaming fails; the scratch file is deleted then
   */
  static void write(FileSystem fs, Path temp, Path dest, byte[] data) throws IOException {
    boolean done = false;
    try {
      try (FSDataOutputStream out = fs.create(temp, true)) {
        out.write(data);
      }
      fs.mkdirs(dest.getParent());
      // HDFS and S3A do not rename onto an existing file; an existing output is an earlier
      // attempt's identical bytes or a previous run's result, both meant to be replaced.
      if (fs.exists(dest)) {
        fs.delete(dest, false);
      }
      if (!fs.rename(temp, dest)) {
        throw new IOException("cannot rename " + temp + " to " + dest);
      }
      done = true;
    } finally {
      if (!done) {
        try {
          fs.delete(temp, false);
        } catch (IOException e) {
          // The job deletes the whole scratch folder at its end anyway.
        }
      }
    }
  }
}
