package io.github.fran4j.training.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.base.Ticker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The time budget on a clock the test moves by hand: one second per training step, none for
 * validation. So the outcome depends on the budget alone, never on the machine's speed.
 */
class TimeBudgetTest {
  @TempDir Path tmp;

  /** A clock that only moves when told. */
  private static final class ManualTicker extends Ticker {
    long nanos;

    @Override
    public long read() {
      return nanos;
    }
  }

  private List<TrainingListener.StepEvent> train(TrainingConfig cfg, GanTrainer.Result[] result)
      throws Exception {
    ManualTicker clock = new ManualTicker();
    List<TrainingListener.StepEvent> steps = new ArrayList<>();
    try (GanTrainer t = GanTrainer.create(cfg, false)) {
      t.useTicker(clock);
      t.addListener(new TrainingListener() {
        @Override
        public void onStep(StepEvent e) {
          steps.add(e);
          clock.nanos += TimeUnit.SECONDS.toNanos(1);
        }
      });
      result[0] = t.fit();
    }
    return steps;
  }

  @Test
  void aSlowRunFollowsTheClockOnItsScheduleAndStopsAtAnEpochBoundary() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    // 10 epochs of 3 steps planned: 30 steps. At one step a second, 13 seconds fit 4 epochs (12
    // s); after the fourth, 1 s is left, less than half an epoch (1.5 s): stop.
    TrainingConfig cfg = TinyDatasets.config(data, tmp.resolve("run"))
        .optRecipe(TrainingRecipe.FAST).optLrWarmupSteps(0).optEpochs(10).optSeed(3)
        .optTimeBudget(Duration.ofSeconds(13)).build();
    GanTrainer.Result[] r = new GanTrainer.Result[1];
    List<TrainingListener.StepEvent> steps = train(cfg, r);
    assertThat(r[0].outcome()).isEqualTo(GanTrainer.Outcome.TIME_BUDGET);
    assertThat(r[0].globalStep()).isEqualTo(12);
    assertThat(r[0].epoch()).isEqualTo(4);
    assertThat(r[0].metrics()).hasSize(4);
    Hyperparameters hp = cfg.hyperparameters();
    for (TrainingListener.StepEvent e : steps) {
      long k = e.globalStep() - 1; // the step's 0-based index; it ran at second k
      long position = Math.max(k, Math.round(30 * k / 13.0));
      assertThat(e.lrG()).as("step %s", k)
          .isEqualTo(hp.learningRate(hp.lrG(), e.epoch(), position, 30));
    }
    // The clock ran ahead of the steps: the last step's rate is the schedule's at step 25.
    assertThat(steps.get(11).lrG()).isLessThan(hp.learningRate(hp.lrG(), 3, 11, 30) / 2);
  }

  @Test
  void withoutABudgetNothingDependsOnTime() throws Exception {
    Path data = TinyDatasets.write(tmp.resolve("data"), 4, new int[] {20, 60}, 32, 1);
    TrainingConfig cfg = TinyDatasets.config(data, tmp.resolve("run"))
        .optRecipe(TrainingRecipe.FAST).optLrWarmupSteps(0).optEpochs(3).optSeed(3).build();
    GanTrainer.Result[] r = new GanTrainer.Result[1];
    List<TrainingListener.StepEvent> steps = train(cfg, r);
    assertThat(r[0].outcome()).isEqualTo(GanTrainer.Outcome.COMPLETED);
    Hyperparameters hp = cfg.hyperparameters();
    for (TrainingListener.StepEvent e : steps) {
      assertThat(e.lrG()).isEqualTo(hp.learningRate(hp.lrG(), e.epoch(), e.globalStep() - 1, 9));
    }
    assertThat(cfg.options().toJson().has("time_budget_seconds")).isFalse();
    assertThatThrownBy(() -> TinyDatasets.config(data, tmp).optTimeBudget(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeBudget must be positive");
  }
}
