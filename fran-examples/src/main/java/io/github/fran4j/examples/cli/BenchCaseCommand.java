package io.github.fran4j.examples.cli;

import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Backends;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code fran bench-case} (hidden): one {@code fran bench} case in a JVM of its own, so that its
 * peak RSS is its own: in one shared process, memory that glibc keeps from earlier cases (model
 * building, quantization, other engines) inflates every later case's peak. Prints one line,
 * {@value #PREFIX} followed by the median seconds and the peak RSS in KiB.
 */
@Command(name = "bench-case", hidden = true,
    description = "Internal: time one fran bench case in its own JVM.")
final class BenchCaseCommand implements Callable<Integer> {
  /** The start of the result line the parent process parses. */
  static final String PREFIX = "bench-case-result";

  @Spec CommandSpec spec;

  @Option(names = "--onnx", description = "An ONNX model to time.")
  Path onnx;

  @Option(names = "--weights", description = "A .safetensors file to time on --backend.")
  Path weights;

  @Option(names = "--backend", description = "The backend provider that opens --weights.")
  String backend;

  @Option(names = "--size", required = true)
  int size;

  @Option(names = "--runs", required = true)
  int runs;

  @Option(names = "--warmup", required = true)
  int warmup;

  @Option(names = "--threads", defaultValue = "0")
  int threads;

  @Option(names = "--device", defaultValue = "cpu")
  String device;

  @Override
  public Integer call() throws Exception {
    OptionChecks.of(spec.commandLine()).inRange("--size", size, 16, 16384)
        .atLeast("--runs", runs, 1).atLeast("--warmup", warmup, 0).atLeast("--threads", threads, 0);
    if ((onnx == null) == (weights == null) || (weights != null) != (backend != null)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "bench-case needs exactly one of --onnx FILE and --weights FILE --backend NAME");
    }
    double[] t;
    if (onnx != null) {
      BackendOptions opts = BackendOptions.builder().optDevice(Device.parse(device))
          .optThreads(threads).optOptimization("all").build();
      try (OnnxGenerator g = OnnxGenerator.open(Files.readAllBytes(onnx), onnx.toString(), opts)) {
        t = BenchCommand.time(g, size, warmup, runs);
      }
    } else {
      BackendOptions opts = BackendOptions.builder().optDevice(Device.parse(device))
          .optThreads(threads).build();
      try (Generator g = Backends.open(weights, backend, opts)) {
        t = BenchCommand.time(g, size, warmup, runs);
      }
    }
    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "%s %.6f %d%n", PREFIX, t[runs / 2], peakRssKib());
    w.flush();
    return 0;
  }

  /** Returns this process's VmHWM in KiB, or -1 where /proc is not available. */
  static long peakRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: no figure
    }
    return -1;
  }
}
