package io.github.fran4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.examples.cli.FranCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job and the library API in Spark local mode (two cores, two attempts per task so that an
 * injected first-attempt failure is retried), on a tiny model and a few small images, against
 * {@code fran reage} as the reference.
 */
class ReAgeJobTest {
  private static SparkSession spark;
  @TempDir static Path shared;
  private static Path model;

  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    spark = SparkSession.builder().master("local[2,2]").appName("fran-spark-test")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.hadoop.fs.flaky.impl", FlakyFileSystem.class.getName())
        .getOrCreate();
    model = Fixtures.unetWeightsFile("transposed_d2_w4", shared);
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static ReAgeSpec.Builder spec() {
    return ReAgeSpec.builder().setModel(model.toString()).setInputAge(30).setTargetAge(70)
        .optFace("full");
  }

  /** Writes a random image; the size and seed make every file different. */
  private static Path image(Path dir, String rel, int w, int h, long seed) throws IOException {
    Path f = dir.resolve(rel);
    Files.createDirectories(f.getParent());
    Photos.write(Fixtures.randomRgbImage(w, h, seed), f);
    return f;
  }

  /** Writes a grey age map: a left-to-right ramp from 20 to {@code right} years (8-bit levels). */
  static Path greyAges(Path file, int right) throws IOException {
    java.awt.image.BufferedImage g = new java.awt.image.BufferedImage(16, 12,
        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 12; y++) {
      for (int x = 0; x < 16; x++) {
        g.getRaster().setSample(x, y, 0, 20 + (right - 20) * x / 15);
      }
    }
    Photos.write(g, file);
    return file;
  }

  /** Runs {@code fran reage} on one image and returns the bytes it wrote. */
  private byte[] franReage(Path input, String outName, double to) throws IOException {
    Path out = Files.createDirectories(tmp.resolve("reference")).resolve(outName);
    int rc = FranCli.commandLine().execute("reage", "--model", model.toString(), "--input",
        input.toString(), "--output", out.toString(), "--from", "30", "--to", String.valueOf(to),
        "--face", "full");
    assertThat(rc).as("fran reage exit code").isZero();
    return Files.readAllBytes(out);
  }

  private static List<Row> manifest(Path out) {
    return spark.read().parquet(out.resolve(ReAgeJob.MANIFEST).toString()).collectAsList();
  }

  /** Every file below a folder, relative, except the manifest's own files. */
  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
          .filter(p -> !p.startsWith(ReAgeJob.MANIFEST)).sorted().collect(Collectors.toList());
    }
  }

  private static Map<String, Row> byName(List<Row> rows) {
    Map<String, Row> m = new TreeMap<>();
    for (Row r : rows) {
      String p = r.getAs("path");
      m.put(p.substring(p.lastIndexOf('/') + 1), r);
    }
    assertThat(m).as("one manifest row per input").hasSize(rows.size());
    return m;
  }

  @Test
  void outputsAreBitForBitThoseOfFranReageAtTheSameRelativePaths() throws Exception {
    Path in = tmp.resolve("in");
    Path a = image(in, "a.png", 48, 40, 1);
    Path b = image(in, "shot2/b.png", 36, 28, 2);
    Path c = image(in, "shot2/deeper/c.jpg", 40, 44, 3);
    Path out = tmp.resolve("out");
    int before = ExecutorReAgers.openedCount();
    ReAgeJob.Summary s = ReAgeJob.run(spark, spec().build(), in.toString(), out.toString(), 0, false);

    assertThat(s.total).isEqualTo(3);
    assertThat(s.failed).isZero();
    assertThat(files(out)).containsExactly("_SUCCESS", "a.png", "shot2/b.png", "shot2/deeper/c.jpg");
    assertThat(Files.readAllBytes(out.resolve("a.png"))).isEqualTo(franReage(a, "a.png", 70));
    assertThat(Files.readAllBytes(out.resolve("shot2/b.png"))).isEqualTo(franReage(b, "b.png", 70));
    assertThat(Files.readAllBytes(out.resolve("shot2/deeper/c.jpg")))
        .isEqualTo(franReage(c, "c.jpg", 70));
    for (Row r : manifest(out)) {
      assertThat((String) r.getAs("status")).isEqualTo(FranSpark.OK);
      Path written = Path.of(java.net.URI.create((String) r.getAs("output_path")));
      assertThat((String) r.getAs("output_sha256"))
          .isEqualTo(Hashing.sha256().hashBytes(Files.readAllBytes(written)).toString());
    }
    // Equal specs share one re-ager per JVM: at most one opened however many tasks ran.
    assertThat(ExecutorReAgers.openedCount() - before).isLessThanOrEqualTo(1);
  }

  @Test
  void corruptAndZeroByteFilesBecomeFailedRowsAndTheGoodOnesAreWritten() throws Exception {
    Path in = tmp.resolve("in");
    image(in, "good.png", 32, 32, 4);
    byte[] png = Files.readAllBytes(image(in, "corrupt.png", 32, 32, 5));
    Files.write(in.resolve("corrupt.png"), java.util.Arrays.copyOf(png, png.length / 2));
    Files.write(in.resolve("empty.png"), new byte[0]);
    Path out = tmp.resolve("out");
    ReAgeJob.Summary s = ReAgeJob.run(spark, spec().build(), in.toString(), out.toString(), 0, false);

    assertThat(s.total).isEqualTo(3);
    assertThat(s.failed).isEqualTo(2);
    assertThat(files(out)).containsExactly("_SUCCESS", "good.png");
    Map<String, Row> rows = byName(manifest(out));
    assertThat((String) rows.get("good.png").getAs("status")).isEqualTo(FranSpark.OK);
    for (String bad : List.of("corrupt.png", "empty.png")) {
      Row r = rows.get(bad);
      assertThat((String) r.getAs("status")).isEqualTo(FranSpark.FAILED);
      assertThat((String) r.getAs("error")).contains(bad);
      assertThat((Object) r.getAs("output_sha256")).isNull();
    }
    assertThat((String) rows.get("empty.png").getAs("error")).contains("not an image");
    assertThat((String) rows.get("corrupt.png").getAs("error")).contains("cannot decode");
  }

  @Test
  void aTaskKilledMidPartitionLeavesNoPartialFileAndTheRetryCompletes() throws Exception {
    Path in = tmp.resolve("in");
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inputs.add(image(in, "f" + i + ".png", 32, 24, 10 + i));
    }
    Path out = tmp.resolve("out");
    FlakyFileSystem.CUT.clear();
    // One partition: its first attempt writes one image, then dies inside the second.
    ReAgeJob.Summary s = ReAgeJob.run(spark, spec().build(), in.toString(),
        "flaky://" + out.toAbsolutePath(), 1, false);

    assertThat(FlakyFileSystem.CUT).as("the injected failure happened").isNotEmpty();
    assertThat(s.total).isEqualTo(4);
    assertThat(s.failed).isZero();
    assertThat(files(out)).containsExactly("_SUCCESS", "f0.png", "f1.png", "f2.png", "f3.png");
    for (Path f : inputs) {
      String name = f.getFileName().toString();
      assertThat(Files.readAllBytes(out.resolve(name))).as(name).isEqualTo(franReage(f, name, 70));
    }
    for (String cut : FlakyFileSystem.CUT) {
      assertThat(Path.of(cut)).doesNotExist();
    }
    assertThat(byName(manifest(out))).hasSize(4);
  }

  @Test
  void resumeProcessesOnlyWhatIsMissing() throws Exception {
    Path in = tmp.resolve("in");
    image(in, "a.png", 32, 32, 20);
    image(in, "b.png", 32, 32, 21);
    image(in, "c.png", 32, 32, 22);
    Path out = tmp.resolve("out");
    ReAgeJob.run(spark, spec().build(), in.toString(), out.toString(), 0, false);
    // a: kept (marked so that rewriting it would show); b: output lost; d: a new input.
    Files.writeString(out.resolve("a.png"), "kept");
    Files.delete(out.resolve("b.png"));
    Path d = image(in, "d.png", 32, 32, 23);

    ReAgeJob.Summary s = ReAgeJob.run(spark, spec().build(), in.toString(), out.toString(), 0, true);

    assertThat(s.kept).isEqualTo(2);
    assertThat(s.total).isEqualTo(4);
    assertThat(Files.readString(out.resolve("a.png"))).isEqualTo("kept");
    assertThat(Files.readAllBytes(out.resolve("b.png"))).isEqualTo(franReage(in.resolve("b.png"), "b.png", 70));
    assertThat(Files.readAllBytes(out.resolve("d.png"))).isEqualTo(franReage(d, "d.png", 70));
    Map<String, Row> rows = byName(manifest(out));
    assertThat(rows.keySet()).containsExactly("a.png", "b.png", "c.png", "d.png");
    assertThat(rows.values()).allMatch(r -> FranSpark.OK.equals(r.getAs("status")));
  }

  @Test
  void libraryApiTakesPerRowAgesAndReturnsTheEncodedImages() throws Exception {
    Path in = tmp.resolve("in");
    Path a = image(in, "a.png", 32, 32, 30);
    Path b = image(in, "b.png", 32, 32, 31);
    StructType schema = new StructType().add("path", DataTypes.StringType)
        .add("target_age", DataTypes.IntegerType);
    Dataset<Row> table = spark.createDataFrame(List.of(
        RowFactory.create(a.toUri().toString(), 50), RowFactory.create(b.toUri().toString(), null)),
        schema);
    Map<String, Row> rows = byName(FranSpark.reage(table, spec().build()).collectAsList());
    assertThat((byte[]) rows.get("a.png").getAs("output")).isEqualTo(franReage(a, "a.png", 50));
    assertThat((byte[]) rows.get("b.png").getAs("output")).isEqualTo(franReage(b, "b.png", 70));
    assertThat((double) rows.get("a.png").getAs("target_age")).isEqualTo(50.0);
  }

  @Test
  void theCommandLineRunsTheJobAndConvertsTheFormat() throws Exception {
    Path in = tmp.resolve("in");
    Path c = image(in, "c.jpg", 40, 32, 40);
    Path out = tmp.resolve("out");
    int rc = ReAgeJob.commandLine().execute("--master", "local[2]", "--model", model.toString(),
        "--input", in.toString(), "--output", out.toString(), "--from", "30", "--to", "70",
        "--face", "full", "--format", "png");
    assertThat(rc).isZero();
    assertThat(files(out)).containsExactly("_SUCCESS", "c.png");
    assertThat(Files.readAllBytes(out.resolve("c.png"))).isEqualTo(franReage(c, "c.png", 70));
  }

  @Test
  void anAgeMapByNameGivesFranReagesOutputWithTheSameAgeMap() throws Exception {
    Path in = tmp.resolve("in");
    Path a = image(in, "a.png", 32, 32, 60);
    Path b = image(in, "b.png", 32, 32, 61);
    Path ages = greyAges(tmp.resolve("ages.png"), 90);
    Path out = tmp.resolve("out");
    int rc = ReAgeJob.commandLine().execute("--master", "local[2]", "--model", model.toString(),
        "--input", in.toString(), "--output", out.toString(), "--from", "30", "--age-map",
        ages.toString(), "--face", "full", "--batch-size", "2", "--partitions", "1");
    assertThat(rc).isZero();
    for (Path f : List.of(a, b)) {
      String name = f.getFileName().toString();
      Path ref = Files.createDirectories(tmp.resolve("reference")).resolve(name);
      assertThat(FranCli.commandLine().execute("reage", "--model", model.toString(), "--input",
          f.toString(), "--output", ref.toString(), "--from", "30", "--to", "70", "--age-map",
          ages.toString(), "--face", "full")).isZero();
      assertThat(Files.readAllBytes(out.resolve(name))).as(name).isEqualTo(Files.readAllBytes(ref));
      assertThat(Files.readAllBytes(out.resolve(name)))
          .isNotEqualTo(franReage(f, "const-" + name, 70));
    }
    assertThat(byName(manifest(out)).values())
        .allMatch(r -> Double.isNaN(r.<Double>getAs("target_age")));
  }

  @Test
  void aBadModelPathFailsOnTheDriverNamingIt() throws Exception {
    Path in = tmp.resolve("in");
    image(in, "a.png", 32, 32, 50);
    Path out = tmp.resolve("out");
    String missing = tmp.resolve("no-such-model.safetensors").toString();
    StringWriter err = new StringWriter();
    CommandLine cl = ReAgeJob.commandLine();
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute("--model", missing, "--input", in.toString(), "--output",
        out.toString(), "--from", "30", "--to", "70");
    assertThat(rc).isEqualTo(1);
    assertThat(err.toString()).startsWith("fran-spark: " + missing + ": no such file")
        .doesNotContain("\tat ");
    assertThat(out).doesNotExist();

    err.getBuffer().setLength(0);
    Path garbage = Files.writeString(tmp.resolve("garbage.safetensors"), "not a model");
    rc = cl.execute("--model", garbage.toString(), "--input", in.toString(), "--output",
        out.toString(), "--from", "30", "--to", "70");
    assertThat(rc).isEqualTo(1);
    assertThat(err.toString()).startsWith("fran-spark: ").contains("garbage.safetensors");
    assertThat(out).doesNotExist();
  }

  @Test
  void usageErrorsAreOneLine() {
    StringWriter err = new StringWriter();
    CommandLine cl = ReAgeJob.commandLine();
    cl.setErr(new PrintWriter(err));
    int rc = cl.execute("--model", model.toString(), "--input", "x", "--output", "y", "--from",
        "30", "--to", "70", "--format", "tiff");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("format must be one of [png, jpg, jpeg, bmp], got 'tiff'")
        .doesNotContain("\tat ");

    err.getBuffer().setLength(0);
    rc = cl.execute("--model", model.toString(), "--input", "x", "--output", "y", "--from", "30",
        "--to", "70", "--age-map", "ages.png");
    assertThat(rc).isEqualTo(2);
    assertThat(err.toString()).contains("give exactly one of --to and --age-map")
        .doesNotContain("\tat ");
  }
}
