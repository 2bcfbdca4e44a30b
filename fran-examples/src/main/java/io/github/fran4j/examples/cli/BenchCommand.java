package io.github.fran4j.examples.cli;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import io.github.fran4j.core.io.AtomicFiles;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.BackendProvider;
import io.github.fran4j.core.spi.Backends;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.backend.OnnxBackendProvider;
import io.github.fran4j.onnx.export.CalibrationImages;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import io.github.fran4j.onnx.export.QuantizedModel;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fran bench}: times every backend provider on the class path (ONNX Runtime, pure Java, DJL
 * when fran-training is there; {@code --backends} chooses) through the backend SPI on the same
 * weights file, plus ONNX Runtime int8 variants, on the seed-size generator at several sizes:
 * median latency, peak RSS, achieved GFLOP/s beside a large MatMul's GFLOP/s measured in the same
 * run. With
 * {@code --precision} or {@code --batch} it runs {@link PrecisionBench} instead (fp32/fp16/int8 by
 * batch size, for GPUs).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark every backend (ONNX Runtime fp32 / int8, pure Java, DJL if present)"
        + " on the generator.")
final class BenchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--width", defaultValue = "64", description = "Base width (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--depth", defaultValue = "4", description = "Depth (default ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--sizes", defaultValue = "256,512,1024", split = ",",
      description = "Square input sizes (default ${DEFAULT-VALUE}; 512 for the community family).")
  List<Integer> sizes;

  @Option(names = "--family", defaultValue = "reference", split = ",", paramLabel = "NAME",
      description = "U-Net families to benchmark, one table each in the same run: reference, "
          + "community or reference,community (default ${DEFAULT-VALUE}).")
  List<String> families;

  /** The sizes of the family being measured. */
  private List<Integer> runSizes;

  @Option(names = "--runs", defaultValue = "5", description = "Timed runs per case (median).")
  int runs;

  @Option(names = "--warmup", defaultValue = "1", description = "Untimed runs per case.")
  int warmup;

  @Option(names = "--threads", defaultValue = "0",
      description = "ONNX Runtime intra-op threads (0 = all cores).")
  int threads;

  @Option(names = "--device", defaultValue = "cpu", description = "auto, cpu, cuda or cuda:N.")
  String device;

  @Option(names = "--calibration",
      description = "Image folder for int8 calibration (default: random inputs).")
  Path calibration;

  @Option(names = "--calibration-count", defaultValue = "16",
      description = "Calibration images (default ${DEFAULT-VALUE}).")
  int calibrationCount;

  @Option(names = "--matmul", defaultValue = "2048",
      description = "MatMul size M=K=N for the reference rate (default ${DEFAULT-VALUE}).")
  int matmul;

  @Option(names = "--int8-float", split = ",", paramLabel = "NAME",
      description = "Also time an int8 model with these activations kept in float, e.g. the last"
          + " decoder level that a PSNR target keeps float on a trained model:"
          + " up4.conv.double_conv.5,up4.conv.double_conv.2,up4.cat.")
  List<String> int8Float = new ArrayList<>();

  @Option(names = "--skip-int8", description = "Only fp32.")
  boolean skipInt8;

  @Option(names = "--backends", split = ",", paramLabel = "NAME",
      description = "Backends to time, by provider name (default: every backend on the class"
          + " path, e.g. onnxruntime, pure-java, djl).")
  List<String> backends = new ArrayList<>();

  @Option(names = "--out", description = "Also write the Markdown table to this file.")
  Path out;

  @Option(names = "--in-process",
      description = "Run every case in this JVM instead of one JVM per case (faster; peak RSS then"
          + " includes memory kept from earlier cases).")
  boolean inProcess;

  @Option(names = "--precision", split = ",", paramLabel = "P",
      description = "Precision benchmark: time these precisions (fp32, fp16, int8) per size and"
          + " batch, with images/s, peak memory and the delta PSNR against fp32.")
  List<String> precisions = new ArrayList<>();

  @Option(names = "--batch", split = ",", paramLabel = "N",
      description = "Precision benchmark: batch sizes (default 1).")
  List<Integer> batches = new ArrayList<>();

  @Option(names = "--checkpoint", paramLabel = "FILE",
      description = "Precision benchmark: a trained .safetensors or .pth generator (default:"
          + " random weights of --width and --depth).")
  Path checkpoint;

  @Option(names = "--option", paramLabel = "KEY=VALUE",
      description = "Backend option, e.g. cuda.cudnn_conv_use_max_workspace=1 (repeatable).")
  Map<String, String> backendOptions = new java.util.LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    OptionChecks checks = OptionChecks.of(spec.commandLine()).atLeast("--runs", runs, 1)
        .atLeast("--warmup", warmup, 0).atLeast("--threads", threads, 0)
        .inRange("--depth", depth, 1, 6).atLeast("--matmul", matmul, 1)
        .atLeast("--calibration-count", calibrationCount, 1);
    if (width < 2 || width > 1024 || width % 2 != 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--width " + width + " must be even in [2, 1024]");
    }
    for (int s : sizes) {
      checks.inRange("--sizes", s, 16, 16384);
    }
    try {
      Device.parse(device);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--device: "
          + e.getMessage());
    }
    if (!precisions.isEmpty() || !batches.isEmpty()) {
      return precisionBench(w);
    }
    List<BackendProvider> chosen = chosenBackends();
    List<UNetFamily> fams = new ArrayList<>();
    for (String f : families) {
      try {
        fams.add(UNetFamily.fromId(f));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "--family: " + e.getMessage());
      }
    }
    BackendOptions opts = BackendOptions.builder().optDevice(Device.parse(device))
        .optThreads(threads).optOptimization("all").build();
    boolean sizesGiven = spec.commandLine().getParseResult().hasMatchedOption("--sizes");
    try (Table table = new Table(w, out)) {
      double mm = matMulGflops(matmul, opts);
      table.add(String.format(Locale.ROOT, "MatMul %dx%dx%d through ONNX Runtime: %.1f GFLOP/s",
          matmul, matmul, matmul, mm));
      for (UNetFamily family : fams) {
        UNetConfig cfg = family == UNetFamily.COMMUNITY
            ? UNetConfig.builder().optFamily(family).optBaseWidth(width).optDepth(depth)
                .optTrainingResolution(UNetConfig.COMMUNITY_RESOLUTION).build()
            : UNetConfig.builder().optBaseWidth(width).optDepth(depth).build();
        runSizes = family == UNetFamily.COMMUNITY && !sizesGiven
            ? List.of(UNetConfig.COMMUNITY_RESOLUTION) : sizes;
        StateDict weights = RandomUNetWeights.create(cfg, 0);
        table.add("");
        table.add(String.format(Locale.ROOT, "%s U-Net width %d depth %d (%.1fM params), random "
            + "weights; %d cores; ONNX Runtime %s; runs %d (median), warmup %d", family.id(),
            width, depth, cfg.weightLayout().trainableParameterCount() / 1e6,
            Runtime.getRuntime().availableProcessors(), ortVersion(), runs, warmup));
        table.add("");
        table.add("| engine | size | median latency | peak RSS | GFLOP | GFLOP/s | MatMul GFLOP/s"
            + " right after | % of MatMul |");
        table.add("|---|---|---|---|---|---|---|---|");
        run(chosen, cfg, weights, opts, table);
      }
      table.commit();
    }
    return 0;
  }

  /** {@code --precision}/{@code --batch}: the GPU-oriented table of {@link PrecisionBench}. */
  private int precisionBench(PrintWriter w) throws Exception {
    List<String> ps = new ArrayList<>();
    for (String p : precisions.isEmpty() ? List.of("fp32") : precisions) {
      String n = p.trim().toLowerCase(Locale.ROOT);
      if (!List.of("fp32", "fp16", "int8").contains(n)) {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
            "unknown --precision '" + p + "', expected fp32, fp16 or int8");
      }
      ps.add(n);
    }
    List<Integer> bs = batches.isEmpty() ? List.of(1) : batches;
    if (bs.stream().anyMatch(b -> b < 1) || runs < 1 || warmup < 0) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--batch and --runs must be >= 1, --warmup >= 0");
    }
    BackendOptions opts;
    try {
      BackendOptions.Builder ob = BackendOptions.builder().optDevice(Device.parse(device))
          .optThreads(threads).optOptimization("all");
      backendOptions.forEach(ob::optOption);
      opts = ob.build();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    StateDict weights;
    UNetConfig cfg;
    if (checkpoint != null) {
      weights = io.github.fran4j.core.weights.WeightFiles.read(checkpoint);
      cfg = UNetConfig.fromStateDict(weights, checkpoint.toString());
    } else {
      cfg = UNetConfig.builder().optBaseWidth(width).optDepth(depth).build();
      weights = RandomUNetWeights.create(cfg, 0);
    }
    try (Table table = new Table(w, out)) {
      table.add(String.format(Locale.ROOT, "U-Net width %d depth %d (%.1fM params), %s; device"
          + " %s; ONNX Runtime %s; runs %d (median), warmup %d; %d cores",
          cfg.baseWidth(), cfg.depth(), cfg.weightLayout().trainableParameterCount() / 1e6,
          checkpoint != null ? checkpoint.getFileName() : "random weights", opts.device(),
          ortVersion(), runs, warmup, Runtime.getRuntime().availableProcessors()));
      table.add("");
      PrecisionBench.header().forEach(table::add);
      new PrecisionBench(cfg, weights, opts, warmup, runs).run(ps, sizes, bs, table::add);
      table.commit();
    }
    return 0;
  }

  /** The backend providers to time, in rank order: all, or those {@code --backends} names. */
  private List<BackendProvider> chosenBackends() {
    List<BackendProvider> all = Backends.providers();
    if (backends.isEmpty()) {
      return all;
    }
    List<BackendProvider> chosen = new ArrayList<>();
    for (String name : backends) {
      BackendProvider p = all.stream().filter(b -> b.name().equals(name.trim())).findFirst()
          .orElseThrow(() -> new picocli.CommandLine.ParameterException(spec.commandLine(),
              "unknown --backends '" + name + "'; the backends on the class path are "
                  + all.stream().map(BackendProvider::name).toList()));
      chosen.add(p);
    }
    return chosen;
  }

  private void run(List<BackendProvider> chosen, UNetConfig cfg, StateDict weights,
      BackendOptions opts, Table table) throws Exception {
    String psnr = null;
    Path dir = inProcess ? null : Files.createTempDirectory("fran-bench");
    Path file = Files.createTempFile("fran-bench-", ".safetensors");
    try {
      SafeTensors.write(weights, file);
      // Every backend through the SPI, exactly as ReAger.load opens the same weights file.
      for (BackendProvider p : chosen) {
        backendRows(p.name(), file, cfg, opts, dir, table);
      }
      boolean onnx = chosen.stream().anyMatch(p -> p instanceof OnnxBackendProvider);
      if (onnx && !skipInt8) {
        // int8 is a variant of the ONNX model rather than a backend: quantized from the export.
        byte[] fp32 = OnnxExporter.toBytes(weights, cfg);
        List<Tensor> calib = calibration != null
            ? CalibrationImages.load(calibration, cfg.trainingResolution(), calibrationCount, 1)
            : randomInputs(calibrationCount, cfg.trainingResolution());
        byte[] int8 = Int8Quantizer.create().quantize(fp32, calib).bytes();
        onnxRows("onnxruntime int8", int8, cfg, opts, dir, table);
        if (!int8Float.isEmpty()) {
          QuantizedModel mixed = Int8Quantizer.builder().optFloatActivations(int8Float).build()
              .quantize(fp32, calib);
          onnxRows("onnxruntime int8 (" + mixed.floatActivations().size()
              + " activations float)", mixed.bytes(), cfg, opts, dir, table);
        }
        psnr = int8Psnr(fp32, int8, calib, cfg, opts);
      }
    } finally {
      Files.deleteIfExists(file);
      if (dir != null) {
        deleteTree(dir);
      }
    }
    table.add("");
    if (psnr != null) {
      table.add(psnr);
    }
    table.add("Backends timed: " + chosen.stream().map(BackendProvider::name).toList()
        + " (backend providers on the class path; --backends chooses).");
    table.add(inProcess ? "All cases ran in this JVM (--in-process)."
        : "Each case ran in a JVM of its own; peak RSS is that JVM's (model loading included).");
  }

  private String int8Psnr(byte[] fp32, byte[] int8, List<Tensor> calib, UNetConfig cfg,
      BackendOptions opts) throws Exception {
    try (OnnxGenerator a = OnnxGenerator.open(fp32, "fp32", opts);
        OnnxGenerator b = OnnxGenerator.open(int8, "int8", opts)) {
      Tensor in = calib.get(calib.size() - 1);
      Tensor ref = a.predict(in);
      double ss = 0;
      for (float v : ref.toFloatArray()) {
        ss += v * v;
      }
      return String.format(Locale.ROOT, "int8 vs fp32 delta PSNR (peak 1) on a %s input at %d:"
          + " %.1f dB; fp32 delta rms %.3f (random weights; trained deltas are far smaller)",
          calibration != null ? "calibration image" : "random", cfg.trainingResolution(),
          Int8Quantizer.psnr(ref, b.predict(in)), Math.sqrt(ss / ref.size()));
    }
  }

  /** A case's result: median seconds and peak RSS in KiB (-1 if unknown). */
  private static final class Measurement {
    final double median;
    final long peakKib;

    Measurement(double median, long peakKib) {
      this.median = median;
      this.peakKib = peakKib;
    }
  }

  private void onnxRows(String name, byte[] model, UNetConfig cfg, BackendOptions opts, Path dir,
      Table table) throws Exception {
    if (dir != null) {
      Path file = dir.resolve(name.replaceAll("[^a-z0-9]+", "-") + ".onnx");
      AtomicFiles.write(file, model);
      for (int s : runSizes) {
        table.add(row(name, s, cfg, opts, () -> isolated(List.of("--onnx", file.toString()), s)));
      }
      return;
    }
    try (OnnxGenerator g = OnnxGenerator.open(model, name, opts)) {
      for (int s : runSizes) {
        table.add(row(name, s, cfg, opts, () -> {
          resetPeakRss();
          double[] t = time(g, s, warmup, runs);
          return new Measurement(t[runs / 2], BenchCaseCommand.peakRssKib());
        }));
      }
    }
  }

  /** One row per size for a backend provider opening the weights file, as ReAger.load does. */
  private void backendRows(String backend, Path file, UNetConfig cfg, BackendOptions opts,
      Path dir, Table table) throws Exception {
    for (int s : runSizes) {
      table.add(row(backend + " fp32", s, cfg, opts, () -> {
        if (dir != null) {
          return isolated(List.of("--weights", file.toString(), "--backend", backend), s);
        }
        resetPeakRss();
        try (Generator g = Backends.open(file, backend, opts)) {
          double[] t = time(g, s, warmup, runs);
          return new Measurement(t[runs / 2], BenchCaseCommand.peakRssKib());
        }
      }));
    }
  }

  /** Something that measures one case. */
  private interface Measure {
    Measurement run() throws Exception;
  }

  /** Formats one table row; a failed case becomes a row that says why. */
  private String row(String name, int size, UNetConfig cfg, BackendOptions opts, Measure measure)
      throws Exception {
    Measurement m;
    try {
      m = measure.run();
    } catch (RuntimeException | IOException e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      return "| " + name + " | " + size + " | failed: " + c.getMessage() + " | | | | | |";
    }
    double flops = UNetFlops.count(cfg, size, size);
    // The MatMul rate is re-measured next to every case: on a shared machine the load changes.
    double mmNow = matMulGflops(matmul, opts);
    String peak = m.peakKib < 0 ? "n/a"
        : String.format(Locale.ROOT, "%.2f GB", m.peakKib / 1024.0 / 1024.0);
    return String.format(Locale.ROOT, "| %s | %d | %s | %s | %.1f | %.1f | %.1f | %.0f%% |", name,
        size, latency(m.median), peak, flops / 1e9, flops / 1e9 / m.median, mmNow,
        100 * flops / 1e9 / m.median / mmNow);
  }

  /** Runs {@code fran bench-case} in a fresh JVM with this JVM's class path and flags. */
  private Measurement isolated(List<String> model, int size)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), FranCli.class.getName(),
        "bench-case"));
    cmd.addAll(model);
    cmd.addAll(List.of("--size", Integer.toString(size), "--runs",
        Integer.toString(runs), "--warmup", Integer.toString(warmup), "--threads",
        Integer.toString(threads), "--device", device));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String result = null;
    try (java.io.BufferedReader r = new java.io.BufferedReader(
        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.startsWith(BenchCaseCommand.PREFIX + " ")) {
          result = line;
        }
      }
    }
    int code = p.waitFor();
    if (code != 0 || result == null) {
      throw new IOException("the case's JVM exited with " + code
          + (code == 137 ? " (killed; out of memory?)" : ""));
    }
    String[] f = result.split(" ");
    return new Measurement(Double.parseDouble(f[1]), Long.parseLong(f[2]));
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * The output: every line goes to the console at once and, with {@code --out}, to
   * {@code OUT.partial}, which becomes {@code OUT} when the run completes. A run killed half-way
   * (the OS's out-of-memory killer at large sizes) leaves the rows it measured in the partial file
   * instead of nothing, and never a half-written {@code OUT}.
   */
  private static final class Table implements AutoCloseable {
    private final PrintWriter console;
    private final Path out;
    private final Path partial;
    private final java.io.BufferedWriter file;

    Table(PrintWriter console, Path out) throws IOException {
      this.console = console;
      this.out = out;
      this.partial = out == null ? null : out.resolveSibling(out.getFileName() + ".partial");
      this.file = out == null ? null : Files.newBufferedWriter(partial, StandardCharsets.UTF_8);
    }

    void add(String line) {
      console.println(line);
      console.flush();
      if (file != null) {
        try {
          file.write(line);
          file.newLine();
          file.flush();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException("cannot write " + partial, e);
        }
      }
    }

    void commit() throws IOException {
      if (file != null) {
        file.close();
        Files.move(partial, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    }

    @Override
    public void close() throws IOException {
      if (file != null) {
        file.close();
      }
    }
  }

  /** Returns the sorted per-run seconds of {@code runs} timed predictions after the warm-up. */
  static double[] time(Generator g, int size, int warmup, int runs) {
    Tensor in = randomInputs(1, size).get(0);
    for (int i = 0; i < warmup; i++) {
      g.predict(in);
    }
    double[] t = new double[runs];
    for (int i = 0; i < runs; i++) {
      long t0 = System.nanoTime();
      g.predict(in);
      t[i] = (System.nanoTime() - t0) / 1e9;
    }
    Arrays.sort(t);
    return t;
  }

  /** Seconds as "0.453 s", or "2.31 ms" below 0.1 s where three decimals of a second say little. */
  static String latency(double seconds) {
    return seconds < 0.1 ? String.format(Locale.ROOT, "%.2f ms", seconds * 1e3)
        : String.format(Locale.ROOT, "%.3f s", seconds);
  }

  static List<Tensor> randomInputs(int n, int size) {
    SplittableRandom r = new SplittableRandom(42 + size);
    List<Tensor> list = new ArrayList<>();
    int hw = size * size;
    for (int k = 0; k < n; k++) {
      float[] v = new float[5 * hw];
      for (int i = 0; i < 3 * hw; i++) {
        v[i] = (float) r.nextDouble();
      }
      Arrays.fill(v, 3 * hw, 4 * hw, 0.25f);
      Arrays.fill(v, 4 * hw, 5 * hw, 0.70f);
      list.add(Tensor.wrap(v, 1, 5, size, size));
    }
    return list;
  }

  /** Builds Y = A x B with B an initializer and times it through ONNX Runtime. */
  static double matMulGflops(int n, BackendOptions opts) throws Exception {
    float[] b = new float[n * n];
    SplittableRandom r = new SplittableRandom(3);
    for (int i = 0; i < b.length; i++) {
      b[i] = (float) r.nextDouble(-1, 1);
    }
    ByteBuffer raw = ByteBuffer.allocate(b.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(b);
    OnnxMl.TypeProto type = OnnxMl.TypeProto.newBuilder().setTensorType(
        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(1)).build();
    OnnxMl.GraphProto graph = OnnxMl.GraphProto.newBuilder().setName("matmul")
        .addInitializer(OnnxMl.TensorProto.newBuilder().setName("b").setDataType(1).addDims(n)
            .addDims(n).setRawData(ByteString.copyFrom(raw.array())))
        .addNode(OnnxMl.NodeProto.newBuilder().setOpType("MatMul").addInput("a").addInput("b")
            .addOutput("y"))
        .addInput(OnnxMl.ValueInfoProto.newBuilder().setName("a").setType(type))
        .addOutput(OnnxMl.ValueInfoProto.newBuilder().setName("y").setType(type))
        .build();
    byte[] model = OnnxMl.ModelProto.newBuilder().setIrVersion(OnnxModelFormat.IR_VERSION)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setVersion(OnnxModelFormat.OPSET))
        .setGraph(graph)
        .build().toByteArray();
    OrtEnvironment env = OnnxGenerator.environment();
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      if (opts.threads() > 0) {
        so.setIntraOpNumThreads(opts.threads());
      }
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // Same device as the generator, so that the reference rate is the GPU's.
      OnnxGenerator.configureDevice(so, opts);
      try (OrtSession s = env.createSession(model, so)) {
        FloatBuffer a = ByteBuffer.allocateDirect(n * n * 4).order(ByteOrder.nativeOrder())
            .asFloatBuffer();
        for (int i = 0; i < n * n; i++) {
          a.put((float) r.nextDouble(-1, 1));
        }
        a.rewind();
        double[] t = new double[7];
        try (OnnxTensor at = OnnxTensor.createTensor(env, a, new long[] {n, n})) {
          for (int i = -2; i < t.length; i++) {
            long t0 = System.nanoTime();
            try (OrtSession.Result res = s.run(Map.of("a", at))) {
              if (i >= 0) {
                t[i] = (System.nanoTime() - t0) / 1e9;
              }
            }
          }
        }
        Arrays.sort(t);
        return 2.0 * n * n * n / t[t.length / 2] / 1e9;
      }
    }
  }

  private static String ortVersion() {
    return OnnxGenerator.environment().getVersion();
  }

  /** Resets the kernel's peak-RSS counter (Linux 4.0+), so each case reports its own peak. */
  static void resetPeakRss() {
    try {
      Files.writeString(Path.of("/proc/self/clear_refs"), "5");
    } catch (IOException | RuntimeException e) {
      // Not Linux or not permitted: the peak then covers the whole run so far.
    }
  }
}
