package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.testing.Fixtures;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.training.model.PatchGanDiscriminator;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fine-tuning init files: family detection, the family checks between --family, --init-generator
 * and --init-discriminator, and named errors for a missing, extra or misshaped tensor.
 */
class InitWeightsTest {
  @TempDir static Path dir;
  private static Path communityG;
  private static Path communityD;
  private static Path referenceG;
  private static Path referenceD;

  @BeforeAll
  static void files() throws Exception {
    communityG = CommunityGanStepParityTest.resource("/fixtures/community-step/g_w4.pth");
    communityD = CommunityGanStepParityTest.resource("/fixtures/community-step/d_w4.pth");
    referenceG = Fixtures.unetWeightsFile("transposed_d2_w4", dir);
    try (NDManager m = NDManager.newBaseManager()) {
      PatchGanDiscriminator d = new PatchGanDiscriminator(4, 4, false);
      d.initialize(m, DataType.FLOAT32, new Shape(1, 4, 32, 32));
      referenceD = dir.resolve("reference-d.safetensors");
      SafeTensors.write(d.toStateDict(), referenceD);
    }
  }

  private static Path write(String name, StateDict w) throws IOException {
    Path f = dir.resolve(name);
    SafeTensors.write(w, f);
    return f;
  }

  @Test
  void takesTheFamilyFromTheGeneratorFile() throws Exception {
    InitWeights c = InitWeights.read(communityG, communityD, null);
    assertThat(c.family()).isEqualTo(UNetFamily.COMMUNITY);
    assertThat(c.config().baseWidth()).isEqualTo(4);
    assertThat(c.discriminatorWidth(64)).isEqualTo(4);
    InitWeights r = InitWeights.read(referenceG, referenceD, UNetFamily.REFERENCE);
    assertThat(r.family()).isEqualTo(UNetFamily.REFERENCE);
    assertThat(r.discriminator()).isPresent();
    InitWeights alone = InitWeights.read(communityG, null, UNetFamily.COMMUNITY);
    assertThat(alone.discriminator()).isEmpty();
    assertThat(alone.discriminatorWidth(64)).isEqualTo(64);
  }

  @Test
  void refusesAFamilyMismatchNamingBothFilesAndFamilies() {
    assertThatThrownBy(() -> InitWeights.read(communityG, referenceD, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(communityG.toString())
        .hasMessageContaining(referenceD.toString())
        .hasMessageContaining("community-family generator")
        .hasMessageContaining("reference-family discriminator");
    assertThatThrownBy(() -> InitWeights.read(referenceG, communityD, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining(referenceG.toString())
        .hasMessageContaining(communityD.toString())
        .hasMessageContaining("reference-family generator")
        .hasMessageContaining("community-family discriminator");
  }

  @Test
  void refusesAFamilyOptionThatContradictsTheFile() {
    assertThatThrownBy(() -> InitWeights.read(communityG, null, UNetFamily.REFERENCE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--family reference conflicts with --init-generator " + communityG)
        .hasMessageContaining("community-family generator");
  }

  @Test
  void namesAMissingExtraOrMisshapedGeneratorTensor() throws Exception {
    StateDict g = WeightFiles.read(communityG);
    Path missing = write("g-missing.safetensors", g.toBuilder().remove("up2.layer.0.bias").build());
    assertThatThrownBy(() -> InitWeights.read(missing, null, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-generator " + missing)
        .hasMessageContaining("missing")
        .hasMessageContaining("up2.layer.0.bias");
    Path extra = write("g-extra.safetensors",
        g.toBuilder().put("up2.layer.9.weight", Tensor.ofFloats(new float[4], 4)).build());
    assertThatThrownBy(() -> InitWeights.read(extra, null, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unexpected")
        .hasMessageContaining("up2.layer.9.weight");
    Path misshaped = write("g-misshaped.safetensors",
        g.toBuilder().put("down1.layer.4.bias", Tensor.ofFloats(new float[7], 7)).build());
    assertThatThrownBy(() -> InitWeights.read(misshaped, null, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("misshaped")
        .hasMessageContaining("down1.layer.4.bias is [7]");
  }

  @Test
  void namesAMissingExtraOrMisshapedDiscriminatorTensor() throws Exception {
    StateDict d = WeightFiles.read(communityD);
    Path noVar = write("d-missing.safetensors", d.toBuilder().remove("model.6.running_var").build());
    assertThatThrownBy(() -> InitWeights.read(communityG, noVar, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-discriminator " + noVar)
        .hasMessageContaining("model.6.running_var");
    Path extra = write("d-extra.safetensors",
        d.toBuilder().put("model.3.scale", Tensor.ofFloats(new float[8], 8)).build());
    assertThatThrownBy(() -> InitWeights.read(communityG, extra, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unexpected")
        .hasMessageContaining("model.3.scale");
    Path misshaped = write("d-misshaped.safetensors", d.toBuilder()
        .put("model.5.weight", Tensor.ofFloats(new float[16 * 4 * 16], 16, 4, 4, 4)).build());
    assertThatThrownBy(() -> InitWeights.read(communityG, misshaped, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("model.5.weight has shape [16, 4, 4, 4], expected [16, 8, 4, 4]");
    Path refExtra = write("ref-d-extra.safetensors", SafeTensors.read(referenceD).toBuilder()
        .put("model.10.weight", Tensor.ofFloats(new float[1], 1)).build());
    assertThatThrownBy(() -> InitWeights.read(referenceG, refExtra, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unexpected")
        .hasMessageContaining("model.10.weight");
  }

  @Test
  void namesAnUnreadableOrWrongKindOfFile() throws Exception {
    Path absent = dir.resolve("absent.pth");
    assertThatThrownBy(() -> InitWeights.read(absent, null, null))
        .isInstanceOf(FileNotFoundException.class)
        .hasMessageContaining("--init-generator " + absent);
    // A generator given as the discriminator.
    assertThatThrownBy(() -> InitWeights.read(communityG, communityG, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-discriminator " + communityG)
        .hasMessageContaining("not a discriminator");
    Path text = Files.writeString(dir.resolve("notes.pth"), "hello");
    assertThatThrownBy(() -> InitWeights.read(communityG, text, null))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("--init-discriminator " + text)
        .hasMessageContaining("unknown weights format")
        // The file is named once, not once by the option and again by the reader.
        .satisfies(e -> assertThat(e.getMessage().split(
            java.util.regex.Pattern.quote(text.toString()), -1)).hasSize(2));
  }
}
