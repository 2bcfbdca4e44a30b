package io.github.fran4j.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The Spark job: re-ages every image below a folder into another folder at the same relative
 * paths, and writes {@code _manifest.parquet} (one {@link FranSpark#MANIFEST} row per input) and a
 * {@code _SUCCESS} marker. Run it with {@code spark-submit} on a cluster or with
 * {@code java -jar fran-spark.jar --master local[N]} on one machine (see docs/spark.md).
 *
 * <p>{@code --resume} skips the inputs whose manifest row says {@code ok} and whose output still
 * exists; the new manifest holds those rows and the new ones.
 */
@Command(
    name = "fran-spark",
    mixinStandardHelpOptions = true,
    versionProvider = ReAgeJob.Version.class,
    description = {
      "Re-age a folder of images on Apache Spark into another folder (same relative paths),",
      "with _manifest.parquet (one row per input: path, status, error, faces, checksum) and _SUCCESS."
    })
public final class ReAgeJob implements Callable<Integer> {
  /** The manifest folder below the output root. */
  public static final String MANIFEST = "_manifest.parquet";
  /** The marker written when the job has finished. */
  public static final String SUCCESS = "_SUCCESS";
  /** The extensions listed as images (any case), as {@code fran reage} lists a folder. */
  private static final List<String> IMAGES = List.of("png", "jpg", "jpeg", "bmp");

  @Spec CommandSpec command;

  @Option(names = "--master",
      description = "Spark master, e.g. local[2] (default: spark-submit's, else local[*]).")
  String master;

  @Option(names = "--model", required = true,
      description = "Model file (.onnx or .safetensors); on a cluster also pass it with --files.")
  String model;

  @Option(names = "--input", required = true,
      description = "Folder of images (searched recursively; a Hadoop path or URI).")
  String input;

  @Option(names = "--output", required = true, description = "Output folder (not inside --input).")
  String output;

  @Option(names = "--from", required = true, description = "The apparent age in the inputs, years.")
  double from;

  @Option(names = "--to", description = "The target age, years (or --age-map).")
  Double to;

  @Option(names = "--age-map",
      description = "Grey image of target ages over each input (level = age in years), as in "
          + "fran reage; replaces --to. On a cluster also pass it with --files.")
  String ageMap;

  @Option(names = "--batch-size", defaultValue = "4",
      description = "Images re-aged together per model call within a task. Default: "
          + "${DEFAULT-VALUE}.")
  int batchSize;

  @Option(names = "--face", defaultValue = "auto",
      description = "auto (detector if given, else full), full, or x,y,w,h. Default: ${DEFAULT-VALUE}.")
  String face;

  @Option(names = "--detector", description = "UltraFace-style ONNX face detector.")
  String detector;

  @Option(names = "--landmarks", description = "68-point landmark ONNX model.")
  String landmarks;

  @Option(names = "--format",
      description = "Output format: png, jpg or bmp (default: the input's).")
  String format;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N.")
  String device;

  @Option(names = "--threads", defaultValue = "0",
      description = "Backend threads per executor JVM (0: the backend's default).")
  int threads;

  @Option(names = "--crop-resolution", defaultValue = "0",
      description = "Resolution faces are re-aged at (0: the model's own).")
  int cropResolution;

  @Option(names = "--tile-size", defaultValue = "0", description = "Tile side for large crops (0: none).")
  int tileSize;

  @Option(names = "--min-face", defaultValue = "24", description = "Smallest face re-aged, pixels.")
  int minFace;

  @Option(names = "--max-pixels", defaultValue = "100000000", description = "Largest image accepted.")
  long maxPixels;

  @Option(names = "--no-face", defaultValue = "warn",
      description = "warn (copy unchanged) or fail (a failed manifest row).")
  String noFace;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Split the inputs into this many tasks (0: Spark's default parallelism).")
  int partitions;

  @Option(names = "--resume",
      description = "Skip inputs whose output and ok manifest row already exist.")
  boolean resume;

  /**
   * Runs the job from the command line and exits with its status: 0 when the job finished (failed
   * images are manifest rows), 2 for a usage error, 1 when the job could not run.
   *
   * @param args the arguments
   */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** Returns the command line, printing errors as one line (no stack trace). */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new ReAgeJob());
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      cmd.getErr().println("fran-spark: " + message(e));
      return 1;
    });
    return cl;
  }

  private static String message(Throwable e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      java.nio.file.NoSuchFileException n = (java.nio.file.NoSuchFileException) e;
      return n.getFile() + ": " + n.getReason();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  @Override
  public Integer call() throws Exception {
    ReAgeSpec spec;
    try {
      spec = spec();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(command.commandLine(), e.getMessage(), e);
    }
    spec.validate();
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    SparkSession.Builder b = SparkSession.builder().appName("fran-spark");
    if (master != null) {
      b.master(master);
    } else if (!SparkSession.getDefaultSession().isDefined()
        && System.getProperty("spark.master") == null) {
      b.master("local[*]");
    }
    SparkSession spark = b.getOrCreate();
    try {
      Summary s = run(spark, spec, input, output, partitions, resume);
      System.out.printf(Locale.ROOT, "re-aged %d of %d images (%d failed, %d kept from the last "
          + "run) into %s; manifest: %s%n", s.ok, s.total, s.failed, s.kept, output, MANIFEST);
      return 0;
    } finally {
      if (owned) {
        spark.stop();
      }
    }
  }

  private ReAgeSpec spec() {
    if ((to == null) == (ageMap == null)) {
      throw new IllegalArgumentException("give exactly one of --to and --age-map");
    }
    ReAgeSpec.Builder b = ReAgeSpec.builder().setModel(model).setInputAge(from)
        .optBatchSize(batchSize).optFace(face).optDevice(device).optThreads(threads).optCropResolution(cropResolution)
        .optTileSize(tileSize).optMinFace(minFace).optMaxPixels(maxPixels)
        .optFailOnNoFace(parseNoFace(noFace));
    if (to != null) {
      b.setTargetAge(to);
    } else {
      b.optAgeMap(ageMap);
    }
    if (detector != null) {
      b.optDetector(detector);
    }
    if (landmarks != null) {
      b.optLandmarks(landmarks);
    }
    if (format != null) {
      b.optFormat(format);
    }
    return b.build();
  }

  private static boolean parseNoFace(String v) {
    switch (v.toLowerCase(Locale.ROOT)) {
      case "warn":
        return false;
      case "fail":
        return true;
      default:
        throw new IllegalArgumentException("--no-face must be warn or fail, got '" + v + "'");
    }
  }

  /** Counts of one run. */
  static final class Summary {
    final long total;
    final long ok;
    final long failed;
    final long kept;

    Summary(long total, long ok, long failed, long kept) {
      this.total = total;
      this.ok = ok;
      this.failed = failed;
      this.kept = kept;
    }
  }

  /**
   * Runs the job in a session: lists the images, re-ages what is to do, writes the manifest
   * (through a scratch folder, then renamed) and the marker.
   */
  static Summary run(SparkSession spark, ReAgeSpec spec, String input, String output,
      int partitions, boolean resume) throws IOException {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Path out = new Path(output);
    FileSystem fs = AtomicFiles.fileSystem(out, conf);
    Path manifest = new Path(out, MANIFEST);
    Path success = new Path(out, SUCCESS);
    fs.mkdirs(out);
    fs.delete(success, false); // a failed re-run must not look finished
    Dataset<Row> frames = list(spark, input, partitions);
    Dataset<Row> kept = null;
    if (resume && fs.exists(manifest)) {
      kept = spark.read().parquet(manifest.toString())
          .filter(functions.col("status").equalTo(FranSpark.OK))
          .filter(new OutputExists(OutputLayout.copy(conf)));
      frames = frames.join(kept.select("path"), frames.col("path").equalTo(kept.col("path")),
          "left_anti");
    }
    Dataset<Row> done = FranSpark.reageToFiles(frames, spec, input, output);
    long keptCount = kept == null ? 0 : kept.count();
    Dataset<Row> all = kept == null ? done : kept.unionByName(done);
    // The old manifest is read lazily while the new one is written: write beside it, then swap.
    Path next = new Path(out, MANIFEST + ".next");
    all.write().mode(SaveMode.Overwrite).parquet(next.toString());
    fs.delete(manifest, true);
    if (!fs.rename(next, manifest)) {
      throw new IOException("cannot rename " + next + " to " + manifest);
    }
    fs.delete(new Path(out, OutputLayout.SCRATCH), true);
    long total = 0;
    long ok = 0;
    for (Row r : spark.read().parquet(manifest.toString()).groupBy("status").count().collectAsList()) {
      total += r.getLong(1);
      ok += FranSpark.OK.equals(r.getString(0)) ? r.getLong(1) : 0;
    }
    fs.create(success, true).close();
    return new Summary(total, ok, total - ok, keptCount);
  }

  /**
   * Lists the images below a folder on the driver. Not Spark's {@code binaryFile} source: it
   * drops zero-byte files, which must become failed manifest rows instead of vanishing.
   */
  private static Dataset<Row> list(SparkSession spark, String input, int partitions)
      throws IOException {
    Path root = new Path(input);
    FileSystem fs = AtomicFiles.fileSystem(root, spark.sparkContext().hadoopConfiguration());
    if (!fs.exists(root) || !fs.getFileStatus(root).isDirectory()) {
      throw new IllegalArgumentException("--input " + input + " is not a folder");
    }
    String qualifiedRoot = fs.makeQualified(root).toString();
    List<String> paths = new ArrayList<>();
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(root, true);
    while (files.hasNext()) {
      Path p = files.next().getPath();
      String below = p.toString().substring(Math.min(qualifiedRoot.length(), p.toString().length()));
      if (isImage(p.getName()) && !isHidden(below)) {
        paths.add(p.toString());
      }
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("--input folder " + input + " has no images ("
          + String.join(", ", IMAGES) + ")");
    }
    Collections.sort(paths);
    int slices = partitions > 0 ? partitions
        : Math.max(1, Math.min(paths.size(), spark.sparkContext().defaultParallelism()));
    JavaRDD<String> rdd = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(paths, slices);
    return spark.createDataset(rdd.rdd(), Encoders.STRING()).toDF("path");
  }

  private static boolean isImage(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return IMAGES.stream().anyMatch(e -> n.endsWith("." + e));
  }

  /** Like Spark's file sources: names starting with {@code _} or {@code .} are not data. */
  private static boolean isHidden(String relative) {
    for (String part : relative.split("/")) {
      if (part.startsWith("_") || part.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  /** Reports the project version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ReAgeJob.class.getPackage().getImplementationVersion();
      return new String[] {"fran-spark " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
  }
}
