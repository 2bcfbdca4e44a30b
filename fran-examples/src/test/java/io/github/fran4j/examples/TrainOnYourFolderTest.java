package io.github.fran4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.SafeTensors;
import io.github.fran4j.training.data.synth.SyntheticAgingDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainOnYourFolderTest {

  @Test
  void trainsOnAFolderAndWritesALoadableModel(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("data");
    SyntheticAgingDataset.builder().optIdentities(2).optSize(32).optAges(List.of(20, 60))
        .optSeed(1).build().write(data);
    Path run = dir.resolve("run");
    TrainOnYourFolder.main(new String[] {data.toString(), run.toString(), "32", "4", "1"});
    Path model = run.resolve("model.safetensors");
    assertThat(model).isRegularFile();
    UNetConfig config = UNetConfig.fromStateDict(SafeTensors.read(model));
    assertThat(config.baseWidth()).isEqualTo(4);
    assertThat(config.trainingResolution()).isEqualTo(32);
    assertThat(Files.readString(run.resolve("metrics.csv")).lines().count()).isEqualTo(2);
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> TrainOnYourFolder.main(new String[] {"x"}))
        .hasMessageContaining("usage: TrainOnYourFolder");
  }
}
