package io.github.fran4j.onnx.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.RandomUNetWeights;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.pipeline.FaceAligner;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.onnx.face.FaceEstimator;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks {@code PhotoEvaluation}'s figures against a direct computation: the test crops and
 * resamples the photo itself (448 px = 7 x 64 = 4 x 112, so the area average is a plain block
 * mean), runs the two face models of {@code faceplugin-face-recognition-js@0.0.1} with its own ONNX
 * Runtime sessions, merges SSR-Net's stages and takes the cosine by hand. Skips when
 * {@code .ci/fetch-test-models} has not fetched the models.
 */
class PhotoEvaluationTest {
  static final Path MODELS = Path.of("").toAbsolutePath().getParent()
      .resolve("target/test-models/package/model");
  static final Path AGE = MODELS.resolve("fr_age.onnx");
  static final Path FEATURE = MODELS.resolve("fr_feature.onnx");
  static final int SIZE = 448;
  static final UNetConfig TINY = UNetConfig.builder().optBaseWidth(4).optDepth(2)
      .optTrainingResolution(32).build();

  @TempDir Path tmp;

  @BeforeEach
  void needModels() {
    Assumptions.assumeTrue(Files.isRegularFile(AGE) && Files.isRegularFile(FEATURE),
        "face models absent from " + MODELS + ": run .ci/fetch-test-models to enable these tests");
  }

  static Path spec(String name) throws Exception {
    return Path.of(PhotoEvaluationTest.class.getResource("/estimators/" + name).toURI());
  }

  /** Grace Hopper's portrait, its central 448 x 448 pixels. */
  static BufferedImage grace() throws Exception {
    try (InputStream in = PhotoEvaluationTest.class.getResourceAsStream(
        "/photos/grace_hopper_512x512.jpg")) {
      BufferedImage full = ImageIO.read(in);
      BufferedImage out = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          out.setRGB(x, y, full.getRGB(x + 32, y + 32));
        }
      }
      return out;
    }
  }

  static Path tinyModel(Path dir) throws Exception {
    Path m = dir.resolve("tiny.safetensors");
    SafeTensors.write(RandomUNetWeights.create(TINY, 7), m);
    return m;
  }

  @Test
  void figuresMatchADirectComputation() throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    BufferedImage grace = grace();
    ImageIO.write(grace, "png", photos.resolve("grace_40.png").toFile());
    double[] targets = {20, 70};
    PhotoEvaluation.Result r;
    try (ReAger reager = ReAger.load(tinyModel(tmp));
        FaceEstimator age = FaceEstimator.open(AGE, spec("fr_age.onnx.json"));
        FaceEstimator id = FaceEstimator.open(FEATURE, spec("fr_feature.onnx.json"))) {
      r = PhotoEvaluation.builder().setReAger(reager)
          .setPhotos(LabelledPhoto.scan(photos, null)).setTargetAges(targets)
          .optAgeModel(age).optIdentityModel(id).build().run();
    }
    assertThat(r.samples()).hasSize(2);
    double inputAge = directAge(grace);
    float[] inputEmbedding = directEmbedding(grace);
    // A plausible age for the portrait: the decoding is not garbage.
    assertThat(inputAge).isBetween(20.0, 90.0);
    assertThat(r.inputMeanAbsError()).isCloseTo(Math.abs(inputAge - 40), within(1e-3));
    for (int t = 0; t < targets.length; t++) {
      PhotoEvaluation.Sample s = r.samples().get(t);
      assertThat(s.inputAge()).isEqualTo(40);
      assertThat(s.targetAge()).isEqualTo(targets[t]);
      assertThat(s.inputEstimate()).isCloseTo(inputAge, within(1e-3));
      double outAge = directAge(s.output());
      assertThat(s.outputEstimate()).isCloseTo(outAge, within(1e-3));
      double cos = cosineByHand(inputEmbedding, directEmbedding(s.output()));
      assertThat(s.identity()).isCloseTo(cos, within(1e-5));
      // The random model changes the face: a cosine of exactly 1 would mean the output is unused.
      assertThat(cos).isLessThan(0.99999);
      PhotoEvaluation.Summary sum = r.summaries().get(t);
      assertThat(sum.count()).isEqualTo(1);
      assertThat(sum.meanEstimate()).isCloseTo(outAge, within(1e-3));
      assertThat(sum.meanError()).isCloseTo(outAge - targets[t], within(1e-3));
      assertThat(sum.meanAbsError()).isCloseTo(Math.abs(outAge - targets[t]), within(1e-3));
      assertThat(sum.meanIdentity()).isCloseTo(cos, within(1e-5));
      // Without a pipeline the whole image is the face: nothing lies outside the mask.
      assertThat(s.outsidePixels()).isZero();
    }
    Path html = EvaluationReport.write(r, tmp.resolve("out"), "tiny.safetensors");
    assertThat(html).exists();
    List<String> summary = Files.readAllLines(tmp.resolve("out/summary.csv"));
    assertThat(summary).hasSize(3);
    assertThat(summary.get(0)).isEqualTo(EvaluationReport.SUMMARY_HEADER);
    String[] row = summary.get(2).split(",");
    assertThat(Double.parseDouble(row[0])).isEqualTo(70);
    assertThat(Double.parseDouble(row[2])).isCloseTo(r.summaries().get(1).meanEstimate(),
        within(1e-3));
    assertThat(tmp.resolve("out/images/grace_40_to_70.png")).exists();
  }

  @Test
  void nothingChangesOutsideTheFaceCrop() throws Exception {
    Path photos = Files.createDirectories(tmp.resolve("photos"));
    BufferedImage grace = grace();
    ImageIO.write(grace, "png", photos.resolve("grace_40.png").toFile());
    int bx = 150;
    int by = 120;
    int bw = 140;
    int bh = 170;
    PhotoEvaluation.Result r;
    try (ReAger reager = ReAger.builder().setModel(tinyModel(tmp)).optFaceBox(bx, by, bw, bh)
        .build()) {
      r = PhotoEvaluation.builder().setReAger(reager).setPhotos(LabelledPhoto.scan(photos, null))
          .setTargetAges(75).build().run();
    }
    PhotoEvaluation.Sample s = r.samples().get(0);
    // The crop by hand: the longer box side times the aligner's box scale and margins, centred.
    FaceAligner a = FaceAligner.defaults();
    double side = Math.max(bw, bh) * a.boxScale() * (1 + 2 * a.margin());
    double x0 = bx + bw / 2.0 - side / 2;
    double y0 = by + bh / 2.0 - side / 2;
    long outside = 0;
    long changedOutside = 0;
    long changedInside = 0;
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean in = x >= Math.floor(x0) && x < Math.ceil(x0 + side) && y >= Math.floor(y0)
            && y < Math.ceil(y0 + side);
        boolean changed = (grace.getRGB(x, y) & 0xffffff) != (s.output().getRGB(x, y) & 0xffffff);
        if (!in) {
          outside++;
          changedOutside += changed ? 1 : 0;
        } else {
          changedInside += changed ? 1 : 0;
        }
      }
    }
    assertThat(changedInside).as("the model changed the face").isPositive();
    assertThat(s.outsidePixels()).isEqualTo(outside).isPositive();
    assertThat(s.outsideChangedPixels()).isEqualTo(changedOutside).isZero();
    assertThat(s.outsideMaxChange()).isZero();
    assertThat(r.summaries().get(0).outsideMaxChange()).isZero();
    assertThat(s.outputEstimate()).isNaN();
    assertThat(s.identity()).isNaN();
  }

  @Test
  void outsideChangeCountsEveryChangedPixelOutsideTheMask() {
    BufferedImage a = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    BufferedImage b = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    b.setRGB(0, 0, 0x000500); // outside, green +5
    b.setRGB(3, 1, 0x090000); // outside, red +9
    b.setRGB(1, 0, 0xffffff); // inside: ignored
    boolean[] mask = {false, true, true, false, false, true, true, false};
    assertThat(PhotoEvaluation.outsideChange(a, b, mask)).containsExactly(9, 2, 4);
  }

  /** The age by hand: block-mean crop, ImageNet normalisation, SSR-Net's stagewise merge. */
  static double directAge(BufferedImage img) throws Exception {
    float[] in = blockMeanNchw(img, 64);
    float[] mean = {0.485f, 0.456f, 0.406f};
    float[] std = {0.229f, 0.224f, 0.225f};
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 64 * 64; i++) {
        in[c * 64 * 64 + i] = (in[c * 64 * 64 + i] / 255f - mean[c]) / std[c];
      }
    }
    Map<String, float[]> o = runDirect(AGE, in, 64);
    double age = 0;
    double denominator = 1;
    for (int k = 1; k <= 3; k++) {
      float[] p = o.get("prob_stage_" + k);
      float[] eta = o.get("index_offset_stage" + k);
      float delta = o.get("stage" + k + "_delta_k")[0];
      assertThat(p).hasSize(3);
      denominator *= 3 * (1 + delta);
      double e = 0;
      for (int i = 0; i < 3; i++) {
        e += p[i] * (i + eta[i]);
      }
      age += e / denominator;
    }
    return 101 * age;
  }

  static float[] directEmbedding(BufferedImage img) throws Exception {
    float[] in = blockMeanNchw(img, 112);
    for (int i = 0; i < in.length; i++) {
      in[i] = (in[i] - 127f) / 128f;
    }
    Map<String, float[]> o = runDirect(FEATURE, in, 112);
    assertThat(o).hasSize(1);
    float[] e = o.values().iterator().next();
    assertThat(e).hasSize(512);
    return e;
  }

  /** Whole image to n x n by averaging square blocks (SIZE is a multiple of n), planar RGB. */
  static float[] blockMeanNchw(BufferedImage img, int n) {
    int f = SIZE / n;
    assertThat(f * n).isEqualTo(SIZE);
    float[] out = new float[3 * n * n];
    for (int oy = 0; oy < n; oy++) {
      for (int ox = 0; ox < n; ox++) {
        double[] sum = new double[3];
        for (int y = oy * f; y < (oy + 1) * f; y++) {
          for (int x = ox * f; x < (ox + 1) * f; x++) {
            int p = img.getRGB(x, y);
            sum[0] += (p >> 16) & 0xff;
            sum[1] += (p >> 8) & 0xff;
            sum[2] += p & 0xff;
          }
        }
        for (int c = 0; c < 3; c++) {
          out[c * n * n + oy * n + ox] = (float) (sum[c] / (f * f));
        }
      }
    }
    return out;
  }

  static Map<String, float[]> runDirect(Path model, float[] in, int n) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession s = env.createSession(model.toString(), new OrtSession.SessionOptions());
        OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(in), new long[] {1, 3, n, n});
        OrtSession.Result r = s.run(Map.of(s.getInputNames().iterator().next(), t))) {
      Map<String, float[]> out = new java.util.HashMap<>();
      r.forEach(e -> {
        FloatBuffer fb = ((OnnxTensor) e.getValue()).getFloatBuffer();
        float[] v = new float[fb.remaining()];
        fb.get(v);
        out.put(e.getKey(), v);
      });
      return out;
    }
  }

  static double cosineByHand(float[] a, float[] b) {
    double dot = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * (double) b[i];
      aa += a[i] * (double) a[i];
      bb += b[i] * (double) b[i];
    }
    return dot / (Math.sqrt(aa) * Math.sqrt(bb));
  }
}
