package io.github.fran4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.testing.Fixtures;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A partition's batch without Spark: a counting detector shows each row's faces are detected
 * once (for the output and the {@code faces} column alike), and each output equals the
 * one-image {@code ReAger} call.
 */
class ReAgePartitionTest {
  @TempDir Path tmp;

  /** Finds one face in images 40 pixels wide or more, none in narrower ones; counts its calls. */
  private static final class CountingDetector implements FaceDetector {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<Face> detect(BufferedImage image) {
      calls.incrementAndGet();
      return image.getWidth() >= 40 ? List.of(Face.of(4, 6, 30, 30, 0.75)) : List.of();
    }
  }

  private static byte[] png(BufferedImage img) throws Exception {
    return Photos.encode(img, "png");
  }

  private List<Row> run(NoFacePolicy policy, CountingDetector det, List<Row> rows,
      List<byte[]> expected) throws Exception {
    Path model = Fixtures.unetWeightsFile("transposed_d2_w4", tmp);
    ReAgeSpec spec = ReAgeSpec.builder().setModel(model.toString()).setInputAge(30)
        .setTargetAge(70).optBatchSize(4).build();
    try (ReAger reager = ReAger.builder().setModel(model).optFacePipeline(FacePipeline.builder()
        .optFaceDetector(det).optCropResolution(32).optNoFacePolicy(policy).build()).build()) {
      ReAgePartition p = new ReAgePartition(spec, null, 0, 1, -1, -1);
      List<Row> out = p.process(rows, new ReAgeSpec.Opened(reager, det, null), new Configuration(),
          null, 0);
      for (Row r : rows) {
        if (r.getString(0).startsWith("broken")) {
          expected.add(null);
          continue;
        }
        BufferedImage img = Photos.read((byte[]) r.get(1), r.getString(0), 1 << 20);
        try {
          expected.add(png(reager.reage(img, 30, 70)));
        } catch (NoFaceException e) {
          expected.add(null);
        }
      }
      return out;
    }
  }

  private static List<Row> rows(int... widths) throws Exception {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < widths.length; i++) {
      rows.add(RowFactory.create("img" + i + ".png",
          png(Fixtures.randomRgbImage(widths[i], 44, 70 + i))));
    }
    return rows;
  }

  @Test
  void facesAreDetectedOncePerRowAndTheBatchEqualsOneImageCalls() throws Exception {
    CountingDetector det = new CountingDetector();
    List<Row> rows = rows(48, 40, 56);
    rows.add(RowFactory.create("broken.png", new byte[] {1, 2, 3}));
    List<byte[]> expected = new ArrayList<>();
    List<Row> out = run(NoFacePolicy.RETURN_UNCHANGED, det, rows, expected);
    // Three decodable rows, one detection each; the reference calls above detect again.
    assertThat(det.calls.get()).isEqualTo(3 + 3);
    for (int i = 0; i < 3; i++) {
      Row r = out.get(i);
      assertThat(r.getString(1)).as("status of %s: %s", i, r.get(2)).isEqualTo(FranSpark.OK);
      assertThat((byte[]) r.get(6)).as("row %s", i).isEqualTo(expected.get(i));
      List<Row> faces = r.getList(3);
      assertThat(faces).hasSize(1);
      assertThat(faces.get(0).getDouble(0)).isEqualTo(4.0);
      assertThat(faces.get(0).getDouble(4)).isEqualTo(0.75);
    }
    assertThat(out.get(3).getString(1)).isEqualTo(FranSpark.FAILED);
    assertThat(out.get(3).getString(2)).contains("broken.png");
  }

  @Test
  void anImageThatFailsTheBatchFailsAloneAndTheOthersAreReaged() throws Exception {
    CountingDetector det = new CountingDetector();
    List<byte[]> expected = new ArrayList<>();
    // The 32-pixel-wide image has no face: under THROW it fails the batched call.
    List<Row> out = run(NoFacePolicy.THROW, det, rows(48, 32, 56), expected);
    assertThat(out.get(1).getString(1)).isEqualTo(FranSpark.FAILED);
    assertThat(out.get(1).getString(2)).startsWith("NoFaceException: no face");
    assertThat(expected.get(1)).isNull();
    for (int i : new int[] {0, 2}) {
      assertThat(out.get(i).getString(1)).isEqualTo(FranSpark.OK);
      assertThat((byte[]) out.get(i).get(6)).as("row %s", i).isEqualTo(expected.get(i));
    }
  }
}
