package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Device;
import io.github.fran4j.training.loss.LossWeights;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The hyperparameters / run options split: the versioned resume key and what it covers. */
class HyperparametersTest {
  private static final Path DATA = Path.of("data");
  private static final Path RUN = Path.of("run");

  @Test
  void jsonIsVersionedAndReadsBack() throws Exception {
    Hyperparameters h = Hyperparameters.builder().optRecipe(TrainingRecipe.FAST)
        .optUNet(UNetConfig.builder().optBaseWidth(8).optTrainingResolution(64).build())
        .optLpips(true).optLossWeights(new LossWeights(1, 0.5, 0.1)).optSeed(7)
        .optLrWarmupSteps(9).build();
    JsonObject j = h.toJson();
    assertThat(j.get("version").getAsInt()).isEqualTo(Hyperparameters.VERSION);
    assertThat(j.get("loss_lpips").getAsDouble()).isEqualTo(0.5);
    Hyperparameters back = Hyperparameters.fromJson(j);
    assertThat(back).isEqualTo(h);
    assertThat(back.lrSchedule()).isEqualTo(LrSchedule.COSINE_STEPS);
    assertThat(back.lrWarmupSteps()).isEqualTo(9);
    assertThat(back.unet().baseWidth()).isEqualTo(8);
    assertThat(Hyperparameters.fromJson(Hyperparameters.builder().build().toJson()))
        .isEqualTo(Hyperparameters.builder().build());
  }

  @Test
  void aKeyWithoutVersionIsVersionOneAndANewerOneIsRefused() throws Exception {
    Hyperparameters h = Hyperparameters.builder().build();
    JsonObject legacy = h.toJson();
    legacy.remove("version"); // written before the key was versioned
    assertThat(h.mismatches(legacy)).isEmpty();
    assertThat(Hyperparameters.fromJson(legacy)).isEqualTo(h);
    JsonObject newer = h.toJson();
    newer.addProperty("version", Hyperparameters.VERSION + 1);
    assertThat(h.mismatches(newer)).singleElement().asString().startsWith("version: checkpoint 2");
    assertThatThrownBy(() -> Hyperparameters.fromJson(newer))
        .isInstanceOf(ModelFormatException.class).hasMessageContaining("field 'version' is 2");
    JsonObject broken = h.toJson();
    broken.addProperty("lr_g", "fast");
    assertThatThrownBy(() -> Hyperparameters.fromJson(broken))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("field 'lr_g' is \"fast\", expected a number");
  }

  @Test
  void rotationJoinsTheKeyOnlyWhenNotTheReferences() throws Exception {
    Hyperparameters reference = Hyperparameters.builder().build();
    assertThat(reference.maxRotationDegrees()).isEqualTo(3.0);
    assertThat(reference.toJson().has("max_rotation_degrees")).isFalse();
    Hyperparameters flat = reference.toBuilder().optMaxRotationDegrees(0).build();
    assertThat(flat.toJson().get("max_rotation_degrees").getAsDouble()).isZero();
    assertThat(Hyperparameters.fromJson(flat.toJson())).isEqualTo(flat);
    assertThat(flat.mismatches(reference.toJson()))
        .containsExactly("max_rotation_degrees: checkpoint (absent), now 0.0");
    assertThatThrownBy(() -> reference.toBuilder().optMaxRotationDegrees(46))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxRotationDegrees must be in [0, 45], got 46.0");
  }

  @Test
  void theDetailWeightJoinsTheKeyOnlyWhenSet() throws Exception {
    Hyperparameters reference = Hyperparameters.builder().build();
    assertThat(reference.lossWeights().detail()).isZero();
    assertThat(reference.toJson().has("loss_detail")).isFalse();
    Hyperparameters fast = Hyperparameters.builder().optRecipe(TrainingRecipe.FAST).build();
    assertThat(fast.lossWeights().detail()).isEqualTo(TrainingRecipe.FAST_DETAIL_WEIGHT);
    assertThat(fast.toJson().get("loss_detail").getAsDouble())
        .isEqualTo(TrainingRecipe.FAST_DETAIL_WEIGHT);
    assertThat(Hyperparameters.fromJson(fast.toJson())).isEqualTo(fast);
    // An explicit weight after the recipe wins and keeps the recipe's other weights.
    Hyperparameters off = fast.toBuilder().optDetailWeight(0).build();
    assertThat(off.lossWeights()).isEqualTo(LossWeights.DEFAULT);
    assertThat(off.toJson().has("loss_detail")).isFalse();
    assertThat(reference.toBuilder().optDetailWeight(2).build().mismatches(reference.toJson()))
        .containsExactly("loss_detail: checkpoint (absent), now 2.0");
    assertThatThrownBy(() -> reference.toBuilder().optDetailWeight(-0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("detail weight must be >= 0");
  }

  @Test
  void mismatchesNameEachChangedHyperparameter() {
    Hyperparameters h = Hyperparameters.builder().optLrG(2e-3).optSeed(42).build();
    JsonObject stored = h.toJson();
    Hyperparameters changed = h.toBuilder().optLrG(3e-3).optDiscriminatorWidth(8).build();
    assertThat(changed.mismatches(stored)).containsExactlyInAnyOrder(
        "lr_g: checkpoint 0.002, now 0.003", "discriminator_width: checkpoint 64, now 8");
  }

  @Test
  void runOptionsAreNotPartOfTheResumeKey() {
    TrainingConfig a = TrainingConfig.builder(DATA, RUN).optSeed(3).build();
    TrainingConfig b = TrainingConfig.builder(Path.of("other-data"), Path.of("other-run"))
        .optSeed(3).optEpochs(7).optMaxSteps(5).optWorkers(0).optKeepCheckpoints(1)
        .optSampleCount(0).optProgressBar(false).optDevice(Device.CPU).optLenient(true)
        .optValDir(Path.of("val")).build();
    assertThat(b.options()).isNotEqualTo(a.options());
    assertThat(b.hyperparameters()).isEqualTo(a.hyperparameters());
    assertThat(b.hyperparameters().mismatches(a.hyperparameters().toJson())).isEmpty();
    // run.json's "config" holds both halves and the recipe.
    assertThat(b.toJson().keySet()).contains("seed", "lr_g", "epochs", "max_steps", "lenient",
        "recipe", "version");
  }

  @Test
  void theLpipsFileDecidesTheLpipsHyperparameter() {
    TrainingConfig with = TrainingConfig.builder(DATA, RUN).optLpipsWeights(Path.of("l.st"))
        .build();
    assertThat(with.hyperparameters().lpips()).isTrue();
    assertThat(with.toBuilder().optLpipsWeights(null).build().hyperparameters().lpips())
        .isFalse();
    Hyperparameters lpipsOn = Hyperparameters.builder().optLpips(true).build();
    assertThatThrownBy(() -> TrainingConfig.builder(DATA, RUN).optHyperparameters(lpipsOn)
        .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use LPIPS but no LPIPS weights file is set");
  }
}
