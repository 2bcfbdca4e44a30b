package io.github.fran4j.spark;

import com.google.common.collect.Iterators;
import com.google.common.hash.Hashing;
import io.github.fran4j.core.ReAgeRequest;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.Photos;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Re-ages the rows of one partition, lazily, a batch of {@link ReAgeSpec#batchSize()} rows at a
 * time (only a batch's images are in memory), with the executor's shared re-ager: each row's faces
 * are detected once, reported in the {@code faces} column and handed to
 * {@link ReAger#reage(List)}, which runs the batch's images (or face crops) through shared model
 * calls. An image that cannot be read, decoded or re-aged becomes a row with status
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
    return Iterators.concat(Iterators.transform(Iterators.partition(rows, spec.batchSize()),
        batch -> {
          // Outside the rows' try: an executor that cannot open the model fails its task.
          ReAgeSpec.Opened opened = ExecutorReAgers.get(spec);
          try {
            return process(batch, opened, conf, outFs, attempt).iterator();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }));
  }

  /** One row on its way: its ages, image and faces, or the error that failed it. */
  private static final class Item {
    final String path;
    final double in;
    final double to;
    String outFile;
    BufferedImage image;
    List<Face> faces = List.of();
    ReAgeRequest request;
    BufferedImage output;
    Exception error;

    Item(String path, double in, double to) {
      this.path = path;
      this.in = in;
      this.to = to;
    }
  }

  /** Re-ages a batch of rows with an opened spec; one result row per input row, in order. */
  List<Row> process(List<Row> batch, ReAgeSpec.Opened opened, Configuration conf,
      FileSystem outFs, long attempt) throws IOException {
    ReAger reager = opened.reager;
    Optional<FacePipeline> pipeline = reager.pipeline();
    List<Item> items = new ArrayList<>(batch.size());
    List<Item> todo = new ArrayList<>();
    for (Row row : batch) {
      String path = row.getString(pathCol);
      boolean ownTarget = targetAgeCol >= 0 && !row.isNullAt(targetAgeCol);
      Item it = new Item(path, age(row, inputAgeCol, spec.inputAge()),
          ownTarget || opened.targetMap == null ? age(row, targetAgeCol, spec.targetAge())
              : Double.NaN);
      items.add(it);
      try {
        if (layout != null) {
          it.outFile = layout.outputFor(path);
        }
        it.image = Photos.read(content(row, path, conf), path, spec.maxPixels());
        AgeMap in = AgeMap.constant(AgeMap.checkAge(it.in, "input_age"));
        AgeMap to = Double.isNaN(it.to) ? opened.targetMap
            : AgeMap.constant(AgeMap.checkAge(it.to, "target_age"));
        it.request = ReAgeRequest.of(it.image, in, to);
        if (pipeline.isPresent()) {
          // Detected once: reported in the faces column and re-aged without detecting again.
          it.faces = pipeline.get().detect(it.image);
          it.request = it.request.withFaces(it.faces);
        }
        todo.add(it);
      } catch (IOException | RuntimeException e) {
        it.error = e;
      }
    }
    reage(reager, todo);
    List<Row> out = new ArrayList<>(items.size());
    for (Item it : items) {
      byte[] encoded = null;
      if (it.error == null) {
        try {
          encoded = Photos.encode(it.output,
              spec.format().orElse(OutputLayout.formatOf(it.outFile != null ? it.outFile : it.path)));
        } catch (IOException | RuntimeException e) {
          it.error = e;
        }
      }
      out.add(it.error != null ? failed(it) : done(it, encoded, outFs, attempt));
    }
    return out;
  }

  /**
   * Re-ages the items in one call; when it fails, one by one, so that the error lands on the
   * image that caused it and the others are still re-aged.
   */
  private static void reage(ReAger reager, List<Item> items) {
    if (items.isEmpty()) {
      return;
    }
    List<ReAgeRequest> requests = new ArrayList<>(items.size());
    for (Item it : items) {
      requests.add(it.request);
    }
    try {
      List<BufferedImage> outs = reager.reage(requests);
      for (int i = 0; i < items.size(); i++) {
        items.get(i).output = outs.get(i);
      }
      return;
    } catch (RuntimeException e) {
      if (items.size() == 1) {
        items.get(0).error = e;
        return;
      }
    }
    for (Item it : items) {
      try {
        it.output = reager.reage(List.of(it.request)).get(0);
      } catch (RuntimeException e) {
        it.error = e;
      }
    }
  }

  private Row done(Item it, byte[] encoded, FileSystem outFs, long attempt) throws IOException {
    List<Row> faces = new ArrayList<>();
    for (Face f : it.faces) {
      faces.add(RowFactory.create(f.x(), f.y(), f.width(), f.height(), f.score()));
    }
    if (layout == null) {
      return RowFactory.create(it.path, FranSpark.OK, null, seq(faces), it.in, it.to, encoded);
    }
    AtomicFiles.write(outFs, layout.scratchFor(it.outFile, attempt), new Path(it.outFile), encoded);
    return RowFactory.create(it.path, it.outFile, FranSpark.OK, null, seq(faces), it.in, it.to,
        Hashing.sha256().hashBytes(encoded).toString());
  }

  private Row failed(Item it) {
    Exception e = it.error;
    String msg = e.getMessage() == null ? e.getClass().getName()
        : e.getClass().getSimpleName() + ": " + e.getMessage();
    if (layout == null) {
      return RowFactory.create(it.path, FranSpark.FAILED, msg, seq(List.of()), it.in, it.to, null);
    }
    return RowFactory.create(it.path, it.outFile, FranSpark.FAILED, msg, seq(List.of()), it.in,
        it.to, null);
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
