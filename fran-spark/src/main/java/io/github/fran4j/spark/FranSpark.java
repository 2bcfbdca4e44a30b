package io.github.fran4j.spark;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Re-ages a Dataset of images on Spark with one {@link io.github.fran4j.core.ReAger} per executor
 * JVM, opened lazily by the first task and shared by the later ones.
 *
 * <p>Input: any Dataset with a string column {@code path} (Spark's {@code binaryFile} source gives
 * one), an optional binary column {@code content} (read from {@code path} through Hadoop when
 * absent), and optional numeric columns {@code input_age} and {@code target_age} that override the
 * spec's ages per row (per-shot ages).
 *
 * <pre>{@code
 * Dataset<Row> frames = spark.read().format("binaryFile").load("hdfs:///shots/*.png");
 * ReAgeSpec spec = ReAgeSpec.builder().setModel("fran.onnx").setInputAge(30).setTargetAge(70).build();
 * spec.validate();
 * Dataset<Row> older = FranSpark.reage(frames, spec); // path, status, error, faces, ..., output
 * }</pre>
 *
 * <p>Spark's {@code binaryFile} source silently drops zero-byte files; {@link ReAgeJob} lists
 * folders itself so that they show up as failed rows.
 *
 * <p>Nothing is lost: an image that cannot be read, decoded or re-aged gives a row with
 * {@code status = "failed"} and the {@code error}, never a failed job. The Datasets returned are
 * lazy; every action re-runs the model, so write or cache them once. Stateless.
 */
public final class FranSpark {
  /** The {@code status} of a re-aged row. */
  public static final String OK = "ok";
  /** The {@code status} of a row whose image could not be re-aged (see {@code error}). */
  public static final String FAILED = "failed";

  /** One detected face: its box in input pixels and the detector's score. */
  public static final StructType FACE = new StructType(new StructField[] {
    DataTypes.createStructField("x", DataTypes.DoubleType, false),
    DataTypes.createStructField("y", DataTypes.DoubleType, false),
    DataTypes.createStructField("width", DataTypes.DoubleType, false),
    DataTypes.createStructField("height", DataTypes.DoubleType, false),
    DataTypes.createStructField("score", DataTypes.DoubleType, false),
  });

  /**
   * The rows of {@link #reage}: {@code path}, {@code status}, {@code error} (null when ok),
   * {@code faces} (empty when the whole image is the face), {@code input_age},
   * {@code target_age}, and {@code output}, the encoded image (null when failed).
   */
  public static final StructType RESULT = new StructType(new StructField[] {
    DataTypes.createStructField("path", DataTypes.StringType, false),
    DataTypes.createStructField("status", DataTypes.StringType, false),
    DataTypes.createStructField("error", DataTypes.StringType, true),
    DataTypes.createStructField("faces", DataTypes.createArrayType(FACE, false), false),
    DataTypes.createStructField("input_age", DataTypes.DoubleType, false),
    DataTypes.createStructField("target_age", DataTypes.DoubleType, false),
    DataTypes.createStructField("output", DataTypes.BinaryType, true),
  });

  /**
   * The rows of {@link #reageToFiles}, and of the job's {@code _manifest.parquet}: {@code path},
   * {@code output_path}, {@code status}, {@code error}, {@code faces}, {@code input_age},
   * {@code target_age}, and {@code output_sha256}, the hex SHA-256 of the written file (null when
   * failed).
   */
  public static final StructType MANIFEST = new StructType(new StructField[] {
    DataTypes.createStructField("path", DataTypes.StringType, false),
    DataTypes.createStructField("output_path", DataTypes.StringType, true),
    DataTypes.createStructField("status", DataTypes.StringType, false),
    DataTypes.createStructField("error", DataTypes.StringType, true),
    DataTypes.createStructField("faces", DataTypes.createArrayType(FACE, false), false),
    DataTypes.createStructField("input_age", DataTypes.DoubleType, false),
    DataTypes.createStructField("target_age", DataTypes.DoubleType, false),
    DataTypes.createStructField("output_sha256", DataTypes.StringType, true),
  });

  private FranSpark() {}

  /**
   * Re-ages every row's image and returns the encoded results (in the spec's format, else the
   * input's).
   *
   * @param frames images, see the class comment for the columns
   * @param spec what to re-age and how (validate it on the driver first)
   * @return one {@link #RESULT} row per input row, lazily computed
   * @throws IllegalArgumentException if {@code path} is missing or a column has the wrong type
   */
  public static Dataset<Row> reage(Dataset<Row> frames, ReAgeSpec spec) {
    return frames.mapPartitions(partition(frames.schema(), spec, null), Encoders.row(RESULT));
  }

  /**
   * Re-ages every row's image below {@code inputRoot} and writes it at the same relative path
   * below {@code outputRoot} (extension changed to the spec's format, if set), atomically: a
   * retried or killed task leaves no partial file and no duplicate. The caller deletes the
   * scratch folder {@code outputRoot/_fran_temporary} after the action (the job does).
   *
   * @param frames images, see the class comment for the columns
   * @param spec what to re-age and how (validate it on the driver first)
   * @param inputRoot the folder the input paths are below
   * @param outputRoot the folder to write into; not inside {@code inputRoot}
   * @return one {@link #MANIFEST} row per input row, lazily computed (each action writes again)
   * @throws IOException if a root cannot be qualified
   * @throws IllegalArgumentException for a bad column or an output root inside the input root
   */
  public static Dataset<Row> reageToFiles(Dataset<Row> frames, ReAgeSpec spec, String inputRoot,
      String outputRoot) throws IOException {
    OutputLayout layout = OutputLayout.of(inputRoot, outputRoot, spec.format(),
        frames.sparkSession().sparkContext().hadoopConfiguration());
    return frames.mapPartitions(partition(frames.schema(), spec, layout), Encoders.row(MANIFEST));
  }

  private static ReAgePartition partition(StructType schema, ReAgeSpec spec, OutputLayout layout) {
    int path = column(schema, "path", DataTypes.StringType, true);
    int content = column(schema, "content", DataTypes.BinaryType, false);
    int in = column(schema, "input_age", null, false);
    int to = column(schema, "target_age", null, false);
    return new ReAgePartition(spec, layout, path, content, in, to);
  }

  /** Returns a column's index, -1 if optional and absent; null type: any numeric type. */
  private static int column(StructType schema, String name, DataType type, boolean required) {
    Optional<StructField> f = Arrays.stream(schema.fields()).filter(x -> x.name().equals(name)).findFirst();
    if (f.isEmpty()) {
      checkArgument(!required, "the Dataset has no '%s' column; columns: %s", name,
          Arrays.toString(schema.fieldNames()));
      return -1;
    }
    DataType t = f.get().dataType();
    checkArgument(type == null ? t instanceof NumericType : t.equals(type),
        "column '%s' is %s, expected %s", name, t.simpleString(),
        type == null ? "a number" : type.simpleString());
    return schema.fieldIndex(name);
  }
}
