package io.github.fran4j.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.pth.InteropFixtures;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Provenance end to end: {@code fran train} records it in {@code model.safetensors},
 * {@code fran export} copies it into the ONNX model, {@code fran inspect} shows it.
 */
class ProvenanceCliTest {
  @TempDir Path tmp;

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  @Test
  void trainedModelCarriesProvenanceThroughExportAndInspect() throws Exception {
    Path data = tmp.resolve("data");
    StringBuilder listing = new StringBuilder();
    // Ages 20 and 60, identities 0 and 1: the sorted relative paths are 20/0.png ... 60/1.png.
    for (int age : new int[] {20, 60}) {
      Files.createDirectories(data.resolve(Integer.toString(age)));
      for (int id = 0; id < 2; id++) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        img.setRGB(id, age % 32, 0xFFFFFF);
        Path f = data.resolve(age + "/" + id + ".png");
        ImageIO.write(img, "png", f.toFile());
        listing.append(age).append('/').append(id).append(".png\t").append(Files.size(f))
            .append('\n');
      }
    }
    String fingerprint = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(listing.toString().getBytes(StandardCharsets.UTF_8)));

    Path out = tmp.resolve("run");
    CliRun train = run("train", "--data", data.toString(), "--out", out.toString(), "--size", "32",
        "--width", "4", "--d-width", "2", "--batch-identities", "1", "--epochs", "1",
        "--workers", "0", "--no-progress", "--seed", "11");
    assertThat(train.code()).as(train.err()).isZero();
    Map<String, String> saved = SafeTensors.read(out.resolve("model.safetensors")).metadata();
    assertThat(saved).containsEntry(Provenance.SEED_KEY, "11")
        .containsEntry(Provenance.DATASET_KEY, fingerprint)
        .containsEntry(Provenance.FAMILY_KEY, "reference")
        .containsEntry(Provenance.SDK_VERSION_KEY, Provenance.currentSdkVersion());
    JsonObject hyper = JsonParser.parseString(saved.get(Provenance.HYPERPARAMETERS_KEY))
        .getAsJsonObject();
    assertThat(hyper.get("seed").getAsLong()).isEqualTo(11);
    assertThat(hyper.get("unet").getAsString()).contains("\"base_width\":4");

    Path onnx = tmp.resolve("m.onnx");
    CliRun export = run("export", "--checkpoint", out.resolve("model.safetensors").toString(),
        "--out", onnx.toString());
    assertThat(export.code()).as(export.err()).isZero();
    Map<String, String> props = new LinkedHashMap<>();
    for (OnnxMl.StringStringEntryProto p
        : OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx)).getMetadataPropsList()) {
      props.put(p.getKey(), p.getValue());
    }
    for (String key : Provenance.KEYS) {
      assertThat(props).as("ONNX metadata %s", key).containsEntry(key, saved.get(key));
    }

    for (Path f : new Path[] {out.resolve("model.safetensors"), onnx}) {
      CliRun inspect = run("inspect", "--no-tensors", f.toString());
      assertThat(inspect.code()).as(inspect.err()).isZero();
      assertThat(inspect.out()).as("inspect %s", f.getFileName())
          .contains("provenance:\n")
          .contains("  family:          reference\n")
          .contains("  seed:            11\n")
          .contains("  dataset:         " + fingerprint + "\n")
          .contains("  sdk version:     " + Provenance.currentSdkVersion() + "\n")
          .contains("  hyperparameters: {");
    }
  }

  @Test
  void inspectSaysSoWhenAFileHasNoProvenance() {
    CliRun r = run("inspect", "--no-tensors",
        InteropFixtures.file("unet_t_w4_d2_checkpoint.pth").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("provenance: no provenance").doesNotContain("provenance:\n");
  }
}
