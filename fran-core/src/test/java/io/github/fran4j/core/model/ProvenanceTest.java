package io.github.fran4j.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProvenanceTest {
  /** {@code printf 'a.txt\t3\nsub/b.png\t5\n' | sha256sum}. */
  private static final String TWO_FILES =
      "sha256:aeeac62cafc8dc4d706a7b46906a4ce3f15f48692f9170580b92430aa9453a8e";

  @TempDir Path tmp;

  private static Provenance sample() {
    return Provenance.builder().setHyperparameters("{\"lr_g\":1.0E-4,\"seed\":7}").setSeed(7)
        .setDatasetFingerprint(TWO_FILES).optSdkVersion("9.9.9").setFamily(UNetFamily.COMMUNITY)
        .build();
  }

  @Test
  void datasetFingerprintMatchesSha256sumOfSortedPathsAndSizes() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("data"));
    // Written out of order: the fingerprint sorts the relative paths.
    Files.createDirectories(root.resolve("sub"));
    Files.write(root.resolve("sub/b.png"), new byte[5]);
    Files.write(root.resolve("a.txt"), new byte[] {1, 2, 3});
    assertThat(Provenance.datasetFingerprint(root)).isEqualTo(TWO_FILES);
    // Other content of the same size: the same fingerprint (contents are not read) ...
    Files.write(root.resolve("a.txt"), new byte[] {1, 2, 4});
    assertThat(Provenance.datasetFingerprint(root)).isEqualTo(TWO_FILES);
    // ... but another size gives another one.
    Files.write(root.resolve("a.txt"), new byte[4]);
    assertThat(Provenance.datasetFingerprint(root)).isNotEqualTo(TWO_FILES);
    assertThatThrownBy(() -> Provenance.datasetFingerprint(tmp.resolve("none")))
        .hasMessageContaining("no dataset folder at");
  }

  @Test
  void metadataRoundTripsThroughASafetensorsFile() throws Exception {
    Provenance p = sample();
    assertThat(p.toMetadata()).containsExactly(
        Map.entry("fran.provenance.hyperparameters", "{\"lr_g\":1.0E-4,\"seed\":7}"),
        Map.entry("fran.provenance.seed", "7"),
        Map.entry("fran.provenance.dataset", TWO_FILES),
        Map.entry("fran.provenance.sdk_version", "9.9.9"),
        Map.entry("fran.provenance.family", "community"));
    StateDict w = p.addTo(StateDict.builder().put("x", Tensor.zeros(2)).build());
    Path f = tmp.resolve("m.safetensors");
    SafeTensors.write(w, f);
    StateDict back = SafeTensors.read(f);
    assertThat(Provenance.fromMetadata(back.metadata(), f.toString())).contains(p);
  }

  @Test
  void foreignMetadataHasNoProvenance() {
    assertThat(Provenance.fromMetadata(Map.of("format", "pt"), "x.safetensors")).isEmpty();
  }

  @Test
  void partialOrMalformedProvenanceNamesTheFileAndTheKey() {
    Map<String, String> partial = new HashMap<>(sample().toMetadata());
    partial.remove(Provenance.SEED_KEY);
    assertThatThrownBy(() -> Provenance.fromMetadata(partial, "m.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("m.onnx: incomplete provenance metadata, missing "
            + "[fran.provenance.seed]");
    Map<String, String> badSeed = new HashMap<>(sample().toMetadata());
    badSeed.put(Provenance.SEED_KEY, "seven");
    assertThatThrownBy(() -> Provenance.fromMetadata(badSeed, "m.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith("m.onnx: invalid provenance metadata:")
        .hasMessageContaining("seven");
    Map<String, String> badJson = new HashMap<>(sample().toMetadata());
    badJson.put(Provenance.HYPERPARAMETERS_KEY, "[1]");
    assertThatThrownBy(() -> Provenance.fromMetadata(badJson, "m.onnx"))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("hyperparameters must be a JSON object, got: [1]");
  }

  @Test
  void builderNamesWhatIsMissing() {
    assertThatThrownBy(() -> Provenance.builder().setSeed(1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageEndingWith("missing: hyperparameters dataset family");
    assertThatThrownBy(() -> Provenance.builder().setDatasetFingerprint("md5:00"))
        .hasMessageContaining("got 'md5:00'");
  }

  @Test
  void sdkVersionIsTheBuildsVersion() {
    // Maven filters the version into fran-core's resources; an unfiltered copy would say unknown.
    assertThat(Provenance.currentSdkVersion()).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(Provenance.builder().setHyperparameters("{}").setSeed(0)
        .setDatasetFingerprint(TWO_FILES).setFamily(UNetFamily.REFERENCE).build().sdkVersion())
        .isEqualTo(Provenance.currentSdkVersion());
  }
}
