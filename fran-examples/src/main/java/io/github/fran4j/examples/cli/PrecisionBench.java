package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.onnx.export.Fp16Converter;
import io.github.fran4j.onnx.export.Int8Quantizer;
import io.github.fran4j.onnx.export.OnnxExporter;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The precision-and-batch part of {@code fran bench} ({@code --precision}, {@code --batch}): for
 * every size, batch and precision, the median latency of one model call, images per second, the
 * peak memory and the delta PSNR against fp32 on the same input. Every case opens a session of
 * its own, so that its memory figure is its own: on CUDA the device memory in use after the runs
 * (ONNX Runtime's arena keeps its peak) read from {@code nvidia-smi}; on the CPU the process's
 * peak RSS, reset before each case. Not thread-safe (one run at a time).
 */
final class PrecisionBench {
  private final UNetConfig cfg;
  private final StateDict weights;
  private final BackendOptions opts;
  private final int warmup;
  private final int runs;

  PrecisionBench(UNetConfig cfg, StateDict weights, BackendOptions opts, int warmup, int runs) {
    this.cfg = cfg;
    this.weights = weights;
    this.opts = opts;
    this.warmup = warmup;
    this.runs = runs;
  }

  /** The table header lines. */
  static List<String> header() {
    return List.of("| device | precision | size | batch | median latency per call | images/s"
            + " | peak memory | delta PSNR vs fp32 |",
        "|---|---|---|---|---|---|---|---|");
  }

  /**
   * Measures every case and hands each row to {@code rows} as soon as it is measured.
   *
   * @param precisions fp32, fp16 and/or int8 (int8 calibrated on random inputs)
   * @throws IOException if a model cannot be opened (e.g. the device is unavailable)
   */
  void run(List<String> precisions, List<Integer> sizes, List<Integer> batches,
      Consumer<String> rows) throws IOException {
    Map<String, byte[]> models = new LinkedHashMap<>();
    byte[] fp32 = OnnxExporter.toBytes(weights, cfg);
    for (String p : precisions) {
      switch (p) {
        case "fp32":
          models.put(p, fp32);
          break;
        case Fp16Converter.FP16:
          models.put(p, Fp16Converter.create().convert(fp32).bytes());
          break;
        default:
          models.put(p, Int8Quantizer.create().quantize(fp32,
              BenchCommand.randomInputs(4, cfg.trainingResolution())).bytes());
          break;
      }
    }
    for (int size : sizes) {
      for (int batch : batches) {
        Tensor in = input(batch, size);
        Tensor reference = null;
        if (!precisions.contains("fp32") && precisions.size() > 0) {
          try (OnnxGenerator g = OnnxGenerator.open(fp32, "fp32", opts)) {
            reference = g.predict(in);
          }
        }
        for (String p : precisions) {
          Case c = measure(models.get(p), p, in);
          if (p.equals("fp32")) {
            reference = c.output;
          }
          String psnr = p.equals("fp32") ? "(reference)" : String.format(Locale.ROOT, "%.1f dB",
              Int8Quantizer.psnr(reference, c.output));
          double rate = batch / c.median;
          rows.accept(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s |",
              c.device, p, size, batch, BenchCommand.latency(c.median),
              String.format(Locale.ROOT, rate < 10 ? "%.2f" : "%.1f", rate), c.memory, psnr));
        }
      }
    }
  }

  /** One case's figures and its output on the timed input. */
  private static final class Case {
    String device;
    double median;
    String memory;
    Tensor output;
  }

  private Case measure(byte[] model, String precision, Tensor in) throws IOException {
    BenchCommand.resetPeakRss();
    Case c = new Case();
    try (OnnxGenerator g = OnnxGenerator.open(model, precision, opts)) {
      c.device = g.describe().replaceFirst("^onnxruntime \\(([^,]+),.*$", "$1");
      for (int i = 0; i < warmup; i++) {
        g.predict(in);
      }
      double[] t = new double[runs];
      for (int i = 0; i < runs; i++) {
        long t0 = System.nanoTime();
        Tensor out = g.predict(in);
        t[i] = (System.nanoTime() - t0) / 1e9;
        c.output = out;
      }
      Arrays.sort(t);
      c.median = t[runs / 2];
      if (c.device.startsWith("cuda")) {
        OptionalLong mib = nvidiaSmiUsedMib(Device.parse(c.device).id());
        c.memory = mib.isPresent() ? String.format(Locale.ROOT, "%.2f GB (nvidia-smi)",
            mib.getAsLong() / 1024.0) : "n/a (no nvidia-smi)";
      } else {
        long kib = BenchCaseCommand.peakRssKib();
        c.memory = kib < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f GB RSS", kib / 1048576.0);
      }
    }
    return c;
  }

  /** A batch of distinct random inputs (RGB noise, input age 25, target age 70). */
  private static Tensor input(int batch, int size) {
    List<Tensor> one = BenchCommand.randomInputs(batch, size);
    int per = 5 * size * size;
    float[] v = new float[batch * per];
    for (int i = 0; i < batch; i++) {
      System.arraycopy(one.get(i).toFloatArray(), 0, v, i * per, per);
    }
    return Tensor.wrap(v, batch, 5, size, size);
  }

  /**
   * Returns the device memory in use on GPU {@code id} in MiB, or empty when nvidia-smi is not
   * there or says nothing usable.
   */
  static OptionalLong nvidiaSmiUsedMib(int id) {
    try {
      Process p = new ProcessBuilder("nvidia-smi", "--query-gpu=memory.used",
          "--format=csv,noheader,nounits", "-i", Integer.toString(id))
          .redirectErrorStream(true).start();
      List<String> lines = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        r.lines().forEach(lines::add);
      }
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || lines.isEmpty()) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | NumberFormatException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }
}
