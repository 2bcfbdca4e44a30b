package io.github.fran4j.spark;

import com.google.common.hash.Hashing;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Re-ages the rows of one partition, lazily, one image in memory at a time, with the executor's
 * shared re-ager. An image that cannot be read, decoded or re-aged becomes a row with status
 * {@code failed} and the error; a failure to write an output fails the task (Spark retries it),
 * since that is the storage's problem, not the image's.
 */
final class ReAgePartition implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  private final ReAgeSpec spec;
  private final OutputLayout layout; // null: return the encoded bytes instead of writing files
  private final int pathCol;
  private final int contentCol;
  private final int inputAgeCol;
  private final int targetAgeCol;

  ReAgePartition(ReAgeSpec spec, OutputLayout layout, int pathCol, int contentCol, int inputAgeCol,
      int targetAgeCol) {
    this.spec = spec;
    this.layout = layout;
    this.pathCol = pathCol;
    this.contentCol = contentCol;
    this.inputAgeCol = inputAgeCol;
    this.targetAgeCol = targetAgeCol;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) throws IOException {
    Configuration conf = layout != null ? layout.configuration() : new Configuration();
    FileSystem outFs = layout != null ? layout.outputFileSystem(conf) : null;
    TaskContext task = TaskContext.get();
    long attempt = task == null ? 0 : task.taskAttemptId();
    return new Iterator<Row>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public Row next() {
        if (!rows.hasNext()) {
          throw new NoSuchElementException();
        }
        try {
          return process(rows.next(), conf, outFs, attempt);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  private Row process(Row row, Configuration conf, FileSystem outFs, long attempt)
      throws IOException {
    String path = row.getString(pathCol);
    double in = age(row, inputAgeCol, spec.inputAge());
    double to = age(row, targetAgeCol, spec.targetAge());
    String outFile = null;
    byte[] encoded;
    List<Row> faces = new ArrayList<>();
    // Outside the try: an executor that cannot open the model fails its task, not the image.
    ReAgeSpec.Opened opened = ExecutorReAgers.get(spec);
    try {
      if (layout != null) {
        outFile = layout.outputFor(path);
      }
      BufferedImage img = Photos.read(content(row, path, conf), path, spec.maxPixels());
      if (opened.reager.pipeline().isPresent()) {
        for (Face f : opened.reager.pipeline().get().detect(img)) {
          faces.add(RowFactory.create(f.x(), f.y(), f.width(), f.height(), f.score()));
        }
      }
      BufferedImage out = opened.reager.reage(img, AgeMap.constant(AgeMap.checkAge(in, "input_age")),
          AgeMap.constant(AgeMap.checkAge(to, "target_age")));
      String format = spec.format().orElse(OutputLayout.formatOf(outFile != null ? outFile : path));
      encoded = Photos.encode(out, format);
    } catch (IOException | RuntimeException e) {
      return failed(path, outFile, in, to, e);
    }
    if (layout == null) {
      return RowFactory.create(path, FranSpark.OK, null, seq(faces), in, to, encoded);
    }
    AtomicFiles.write(outFs, layout.scratchFor(outFile, attempt), new Path(outFile), encoded);
    return RowFactory.create(path, outFile, FranSpark.OK, null, seq(faces), in, to,
        Hashing.sha256().hashBytes(encoded).toString());
  }

  private Row failed(String path, String outFile, double in, double to, Exception e) {
    String msg = e.getMessage() == null ? e.getClass().getName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    if (layout == null) {
      return RowFactory.create(path, FranSpark.FAILED, msg, seq(List.of()), in, to, null);
    }
    return RowFactory.create(path, outFile, FranSpark.FAILED, msg, seq(List.of()), in, to, null);
  }

  /** Spark's row encoder takes arrays as Scala sequences. */
  private static scala.collection.immutable.Seq<Row> seq(List<Row> rows) {
    return scala.jdk.javaapi.CollectionConverters.asScala(rows).toList();
  }

  private byte[] content(Row row, String path, Configuration conf) throws IOException {
    if (contentCol >= 0 && !row.isNullAt(contentCol)) {
      return (byte[]) row.get(contentCol);
    }
    Path p = new Path(path);
    try (InputStream s = p.getFileSystem(conf).open(p)) {
      return s.readAllBytes();
    }
  }

  private static double age(Row row, int col, double fallback) {
    return col < 0 || row.isNullAt(col) ? fallback : ((Number) row.get(col)).doubleValue();
  }
}
