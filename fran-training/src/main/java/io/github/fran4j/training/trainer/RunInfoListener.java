package io.github.fran4j.training.trainer;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Writes {@code run.json} when training begins: the settings, LPIPS on or off, the datasets, the
 * position a resume started from and the images skipped in lenient mode.
 */
final class RunInfoListener implements TrainingListener {
  /** How many skipped files run.json names (the count is always complete). */
  static final int NAMED = 20;

  @Override
  public void onTrainingBegin(GanTrainer t) throws IOException {
    TrainingConfig cfg = t.config();
    JsonObject o = new JsonObject();
    o.addProperty("format", "fran.training-run");
    o.addProperty("version", 1);
    o.addProperty("started", Instant.now().toString());
    o.add("config", cfg.toJson());
    o.addProperty("lpips", !t.lpipsEnabled()
        ? "disabled: no LPIPS weights file given (generator loss = L1 + adversarial)"
        : "enabled: " + cfg.options().lpipsWeights().get());
    o.addProperty("train_identities", t.trainDataset().identityCount());
    o.addProperty("train_ages", t.trainDataset().ages().toString());
    boolean heldOut = t.validationDataset() != t.trainDataset();
    o.addProperty("val_identities", heldOut ? t.validationDataset().identityCount() : 0);
    o.addProperty("validation", heldOut
        ? "held-out dataset " + cfg.options().valDir().get()
        : "no --val given: validating on fixed training pairs (not held-out identities)");
    o.addProperty("batches_per_epoch", t.batchesPerEpoch());
    o.addProperty("resumed_at_step", t.globalStep());
    List<String> skipped = t.skippedImages();
    o.addProperty("skipped_images", skipped.size());
    JsonArray named = new JsonArray();
    skipped.stream().limit(NAMED).forEach(named::add);
    o.add("skipped_image_errors", named);
    t.runDirectory().writeRunInfo(o);
  }
}
