package io.github.fran4j.onnx.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.spi.BackendOptions;
import io.github.fran4j.onnx.export.TestModels;
import io.github.fran4j.onnx.runtime.OnnxGenerator;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Closing a re-ager and its ONNX face detector while 16 threads are inside {@code reage}, in both
 * orders, 20 rounds each: before the close contract ({@link io.github.fran4j.core.spi.CloseGuard})
 * covered the face models, this killed the JVM with SIGSEGV in {@code OrtSession.run}. Every call
 * must either finish or throw the closed-state {@link IllegalStateException}; nothing else.
 *
 * <p>Runs with a synthetic UltraFace-shaped detector always, and with the real
 * {@code fr_detect.onnx} when {@code .ci/fetch-test-models} has fetched it.
 */
class CloseRaceTest {
  private static final int THREADS = 16;
  private static final int ROUNDS = 20;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0} detector, {1} closed first")
  @CsvSource({"synthetic, reager", "synthetic, detector", "real, reager", "real, detector"})
  void closingWhileThreadsReageNeverCrashes(String detectorKind, String firstClosed)
      throws Exception {
    Path model;
    if (detectorKind.equals("real")) {
      model = OnnxFaceDetectorTest.DETECT;
      Assumptions.assumeTrue(Files.isRegularFile(model),
          "face models absent: run .ci/fetch-test-models to enable the real-detector rounds");
    } else {
      model = tmp.resolve("ultraface-like.onnx");
      Files.write(model, syntheticDetector(80, 60));
    }
    BufferedImage photo = small(OnnxFaceDetectorTest.photo("grace_hopper_512x512.jpg"), 160);
    for (int round = 0; round < ROUNDS; round++) {
      UltraFaceDetector detector = UltraFaceDetector.builder().optThreads(1).build(model);
      OnnxGenerator generator = OnnxGenerator.open(TestModels.foreignConv("x", "y", 5, 3),
          "conv", BackendOptions.builder().optThreads(1).build());
      ReAger reager = ReAger.builder().setGenerator(generator)
          .optPipeline(FacePipeline.builder().optFaceDetector(detector).optCropResolution(32)
              .optNoFacePolicy(NoFacePolicy.RETURN_UNCHANGED).build())
          .build();
      AtomicInteger done = new AtomicInteger();
      ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> closedMessages = new ConcurrentLinkedQueue<>();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        Thread th = new Thread(() -> {
          try {
            while (true) {
              reager.reage(photo, 30, 60);
              done.incrementAndGet();
            }
          } catch (IllegalStateException e) {
            closedMessages.add(e.getMessage());
          } catch (Throwable e) {
            unexpected.add(e);
          }
        });
        threads.add(th);
        th.start();
      }
      // Close once a few calls have finished, so that most threads are inside one.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (done.get() < 4 && unexpected.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      if (firstClosed.equals("reager")) {
        reager.close();
        detector.close();
      } else {
        detector.close();
        reager.close();
      }
      for (Thread th : threads) {
        th.join(TimeUnit.SECONDS.toMillis(60));
        assertThat(th.isAlive()).as("a thread still running after close").isFalse();
      }
      assertThat(unexpected).as("round " + round).isEmpty();
      assertThat(closedMessages).hasSize(THREADS)
          .allSatisfy(m -> assertThat(m).contains("called on a closed"));
      assertThat(done.get()).isGreaterThan(0);
      // Idempotent, and later calls get the closed-state exception, naming the operation.
      reager.close();
      detector.close();
      assertThatThrownBy(() -> reager.reage(photo, 30, 60))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("reage called on a closed");
      assertThatThrownBy(() -> detector.detect(photo))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("run called on a closed face model");
    }
  }

  private static BufferedImage small(BufferedImage img, int side) {
    BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = out.createGraphics();
    g.drawImage(img, 0, 0, side, side, null);
    g.dispose();
    return out;
  }

  /**
   * An UltraFace-shaped model: input {@code [1, 3, h, w]}, {@code scores [1, 1, 2]} always
   * (0.1, 0.9) and {@code boxes [1, 1, 4]} = (0.25, 0.25, 0.75, 0.75) + 0 * mean(input), so that
   * each run reads the whole input in native code.
   */
  static byte[] syntheticDetector(int w, int h) {
    OnnxMl.GraphProto.Builder g = OnnxMl.GraphProto.newBuilder().setName("ultraface_like");
    g.addInitializer(floats("scores_c", new float[] {0.1f, 0.9f}, 1, 1, 2));
    g.addInitializer(floats("boxes_c", new float[] {0.25f, 0.25f, 0.75f, 0.75f}, 1, 1, 4));
    g.addInitializer(floats("zero", new float[] {0f}));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Identity").addInput("scores_c")
        .addOutput("scores"));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("ReduceMean").addInput("input")
        .addOutput("mean").addAttribute(OnnxMl.AttributeProto.newBuilder().setName("keepdims")
            .setType(OnnxMl.AttributeProto.AttributeType.INT).setI(0)));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Mul").addInput("mean").addInput("zero")
        .addOutput("nothing"));
    g.addNode(OnnxMl.NodeProto.newBuilder().setOpType("Add").addInput("boxes_c").addInput("nothing")
        .addOutput("boxes"));
    g.addInput(value("input", 1, 3, h, w));
    g.addOutput(value("scores", 1, 1, 2));
    g.addOutput(value("boxes", 1, 1, 4));
    return OnnxMl.ModelProto.newBuilder().setIrVersion(8)
        .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(g).build().toByteArray();
  }

  private static TensorProto floats(String name, float[] v, long... shape) {
    ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(v);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(b.array()));
    for (long d : shape) {
      t.addDims(d);
    }
    return t.build();
  }

  private static OnnxMl.ValueInfoProto value(String name, int... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (int d : dims) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder().setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(OnnxMl.TypeProto.Tensor.newBuilder()
            .setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
        .build();
  }
}
