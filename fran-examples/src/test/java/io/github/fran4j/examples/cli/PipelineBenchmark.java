package io.github.fran4j.examples.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.CropWarper;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceAligner;
import io.github.fran4j.core.pipeline.FaceCrop;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.FeatherMask;
import io.github.fran4j.core.pipeline.WorkingImages;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.face.OnnxFaceDetector;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * Times the face pipeline on a 3840x2160 frame with one face re-aged at 1024 (not a unit test; run
 * by hand, see docs/benchmarks.md). Args: detector.onnx landmarks.onnx unet.onnx|none.
 */
public final class PipelineBenchmark {
  private PipelineBenchmark() {}

  /** A stand-in generator on a raw ORT session until fran-onnx's backend is merged. */
  static final class OrtStandIn implements Generator {
    final OrtSession session;
    long nanos;

    OrtStandIn(Path file) throws OrtException {
      OrtSession.SessionOptions o = new OrtSession.SessionOptions();
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = OrtEnvironment.getEnvironment().createSession(file.toString(), o);
    }

    @Override
    public Tensor predict(Tensor input) {
      long t0 = System.nanoTime();
      float[] v = input.toFloatArray();
      FloatBuffer b = ByteBuffer.allocateDirect(4 * v.length).order(ByteOrder.nativeOrder()).asFloatBuffer();
      b.put(v).rewind();
      long[] shape = {input.dim(0), input.dim(1), input.dim(2), input.dim(3)};
      try (OnnxTensor t = OnnxTensor.createTensor(OrtEnvironment.getEnvironment(), b, shape);
          OrtSession.Result r = session.run(Map.of("input", t))) {
        FloatBuffer out = ((OnnxTensor) r.get(0)).getFloatBuffer();
        float[] d = new float[out.remaining()];
        out.get(d);
        nanos += System.nanoTime() - t0;
        return Tensor.wrap(d, input.dim(0), 3, input.dim(2), input.dim(3));
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.empty();
    }

    @Override
    public int sizeMultiple() {
      return 16;
    }

    @Override
    public int resolution() {
      return 1024;
    }

    @Override
    public String describe() {
      return "onnxruntime stand-in (cpu)";
    }

    @Override
    public void close() {
      try {
        session.close();
      } catch (OrtException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** A zero-cost stand-in: returns a constant delta (to time the pipeline alone). */
  static final class NullGenerator implements Generator {
    @Override
    public Tensor predict(Tensor input) {
      float[] d = new float[input.dim(0) * 3 * input.dim(2) * input.dim(3)];
      java.util.Arrays.fill(d, 0.05f);
      return Tensor.wrap(d, input.dim(0), 3, input.dim(2), input.dim(3));
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.empty();
    }

    @Override
    public int sizeMultiple() {
      return 16;
    }

    @Override
    public int resolution() {
      return 1024;
    }

    @Override
    public String describe() {
      return "null";
    }

    @Override
    public void close() {}
  }

  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  static long peakRssMb() {
    long kib = BenchCaseCommand.peakRssKib();
    return kib < 0 ? -1 : kib / 1024;
  }


  /**
   * Runs the benchmark.
   *
   * @param args detector, landmarks, unet onnx (or "none")
   * @throws Exception on failure
   */
  public static void main(String[] args) throws Exception {
    BufferedImage portrait;
    try (var in = PipelineBenchmark.class.getResourceAsStream("/photos/grace_hopper_512x512.jpg")) {
      portrait = ImageIO.read(in);
    }
    BufferedImage frame = new BufferedImage(3840, 2160, BufferedImage.TYPE_3BYTE_BGR);
    Random r = new Random(1);
    for (int y = 0; y < 2160; y += 8) {
      for (int x = 0; x < 3840; x += 8) {
        int c = r.nextInt() & 0x3f3f3f;
        for (int dy = 0; dy < 8; dy++) {
          for (int dx = 0; dx < 8; dx++) {
            frame.setRGB(x + dx, y + dy, c);
          }
        }
      }
    }
    var g2 = frame.createGraphics();
    g2.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g2.drawImage(portrait, 1200, 0, 2160, 2160, null);
    g2.dispose();
    boolean ort = !args[2].equals("none");
    Generator gen = ort ? new OrtStandIn(Path.of(args[2])) : new NullGenerator();
    int runs = ort ? 3 : 5;
    try (OnnxFaceDetector det = OnnxFaceDetector.open(Path.of(args[0]), Path.of(args[1]))) {
      FacePipeline p = FacePipeline.builder().optFaceDetector(det).optCropResolution(1024).build();
      // Warm-up (JIT, ORT session first run).
      p.reage(gen, frame, AgeMap.constant(30), AgeMap.constant(70));
      double detect = 0;
      double toWorking = 0;
      double sample = 0;
      double paste = 0;
      double total = 0;
      double model = 0;
      double cpuOverhead = 0;
      double cpuTotal = 0;
      List<Face> faces = null;
      for (int i = 0; i < runs; i++) {
        long c0 = cpuNanos();
        long t0 = System.nanoTime();
        faces = det.detect(WorkingImages.toWorking(frame));
        long t1 = System.nanoTime();
        BufferedImage w = WorkingImages.toWorking(frame);
        long t2 = System.nanoTime();
        FaceCrop crop = FaceAligner.defaults().align(faces.get(0), 1024);
        float[] rgb = CropWarper.sampleRgb(w, crop);
        long t3 = System.nanoTime();
        float[] delta = new float[3 * 1024 * 1024];
        java.util.Arrays.fill(delta, rgb[0] * 0 + 0.05f);
        CropWarper.pasteDelta(w, crop, delta, new FeatherMask(0.1));
        long t4 = System.nanoTime();
        long c4 = cpuNanos();
        cpuOverhead += (c4 - c0) / 1e6;
        detect += (t1 - t0) / 1e6;
        toWorking += (t2 - t1) / 1e6;
        sample += (t3 - t2) / 1e6;
        paste += (t4 - t3) / 1e6;
        long m0 = gen instanceof OrtStandIn ? ((OrtStandIn) gen).nanos : 0;
        long e0 = System.nanoTime();
        long ce0 = cpuNanos();
        p.reage(gen, frame, AgeMap.constant(30), AgeMap.constant(70));
        total += (System.nanoTime() - e0) / 1e6;
        cpuTotal += (cpuNanos() - ce0) / 1e6;
        model += gen instanceof OrtStandIn ? (((OrtStandIn) gen).nanos - m0) / 1e6 : 0;
      }
      FaceCrop crop = FaceAligner.defaults().align(faces.get(0), 1024);
      System.out.printf("frame 3840x2160, face box %.0fx%.0f, crop side in frame %.0f px -> 1024%n",
          faces.get(0).width(), faces.get(0).height(), crop.sideInFrame());
      System.out.printf("detect+landmarks (on a working copy) %.1f ms | working copy %.1f ms | align+sample %.1f ms | "
          + "paste-back %.1f ms (means over %d runs)%n", detect / runs, toWorking / runs,
          sample / runs, paste / runs, runs);
      System.out.printf("end-to-end reage %.1f ms, of which model %.1f ms -> overhead %.1f ms = %.1f%% "
          + "of the model%n", total / runs, model / runs, (total - model) / runs,
          model > 0 ? 100 * (total - model) / model : Double.NaN);
      System.out.printf("process CPU time: stages (detect..paste) %.1f ms, end-to-end reage %.1f ms%n",
          cpuOverhead / runs, cpuTotal / runs);
      System.out.printf("load average at end: %s%n",
          Files.readString(Path.of("/proc/loadavg")).trim());
      System.out.printf("peak RSS %d MB, max heap %d MB%n", peakRssMb(),
          Runtime.getRuntime().maxMemory() >> 20);
    } finally {
      gen.close();
    }
  }
}
