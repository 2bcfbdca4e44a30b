package io.github.fran4j.examples.serve;

import static io.github.fran4j.examples.serve.ServeFixtures.differingPixels;
import static io.github.fran4j.examples.serve.ServeFixtures.get;
import static io.github.fran4j.examples.serve.ServeFixtures.image;
import static io.github.fran4j.examples.serve.ServeFixtures.post;
import static io.github.fran4j.examples.serve.ServeFixtures.reageForm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.FacePipeline;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.examples.serve.ServeFixtures.ControlledGenerator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Overload, engine failures, no face, graceful shutdown and a short load run. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServerLimitsTest {
  @TempDir Path tmp;

  static ServeConfig.Builder config() {
    return ServeConfig.builder().optPort(0);
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertThat(body).doesNotContain("\tat ").doesNotContain("Exception");
    return JsonParser.parseString(body).getAsJsonObject();
  }

  static CompletableFuture<HttpResponse<byte[]>> postAsync(ReageServer server) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return post(server, "v1/reage", reageForm(image(16, 16, 1)), null);
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  /** Polls /metrics until a line appears (the server's own view of its queue). */
  static void awaitMetric(ReageServer server, String line) throws Exception {
    for (int i = 0; i < 600; i++) {
      if (get(server, "metrics").body().lines().anyMatch(line::equals)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("metrics never showed " + line);
  }

  @Test
  void beyondSlotsAndQueueIs429WithRetryAfter() throws Exception {
    ControlledGenerator gen = new ControlledGenerator(true, null);
    try (ServedModel model = ServedModel.of(gen.reager());
        ReageServer server = ReageServer.start(model,
            config().optMaxConcurrent(1).optMaxQueue(1).build())) {
      CompletableFuture<HttpResponse<byte[]>> running = postAsync(server);
      assertThat(gen.entered.await(30, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<HttpResponse<byte[]>> queued = postAsync(server);
      awaitMetric(server, "fran_queue_depth 1.0");

      HttpResponse<byte[]> rejected = post(server, "v1/reage", reageForm(image(16, 16, 2)), null);

      assertThat(rejected.statusCode()).isEqualTo(429);
      assertThat(rejected.headers().firstValue("Retry-After")).hasValueSatisfying(
          v -> assertThat(Long.parseLong(v)).isPositive());
      JsonObject e = json(rejected);
      assertThat(e.get("error").getAsString()).isEqualTo("overloaded");
      assertThat(e.get("message").getAsString()).contains("1 running, 1 queued");
      gen.release.countDown();
      assertThat(running.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(queued.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      assertThat(get(server, "metrics").body()).contains("fran_http_errors_total{kind=\"overloaded\"} 1.0");
    }
  }

  @Test
  void engineFailureIs500WithAnIdAndNoDetails() throws Exception {
    ControlledGenerator gen = new ControlledGenerator(false,
        new IllegalStateException("secret internal detail"));
    try (ServedModel model = ServedModel.of(gen.reager());
        ReageServer server = ReageServer.start(model, config().build())) {
      HttpResponse<byte[]> r = post(server, "v1/reage", reageForm(image(16, 16, 3)), null);

      assertThat(r.statusCode()).isEqualTo(500);
      JsonObject e = json(r);
      assertThat(e.get("error").getAsString()).isEqualTo("internal");
      assertThat(e.get("id").getAsString())
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain("secret");
    }
  }

  @Test
  void noFaceWithThePipelineIs422AndThePipelineCanBeSwitchedOff() throws Exception {
    Path modelFile = ServeFixtures.tinyModel(tmp);
    FaceDetector none = img -> List.of();
    FacePipeline pipeline = FacePipeline.builder().optFaceDetector(none)
        .optNoFacePolicy(NoFacePolicy.THROW).build();
    BufferedImage in = image(32, 32, 4);
    try (ReAger library = ReAger.load(modelFile);
        ServedModel model = ServedModel.withFacePipeline(ReAger.load(modelFile), pipeline);
        ReageServer server = ReageServer.start(model, config().build())) {
      assertThat(get(server, "v1/model").body()).contains("\"face_pipeline\":true");

      HttpResponse<byte[]> r = post(server, "v1/reage", reageForm(in), null);

      assertThat(r.statusCode()).isEqualTo(422);
      JsonObject e = json(r);
      assertThat(e.get("error").getAsString()).isEqualTo("no_face");
      assertThat(e.get("field").getAsString()).isEqualTo("image");

      HttpResponse<byte[]> off = post(server, "v1/reage", reageForm(in).field("pipeline", "off"),
          null);
      assertThat(off.statusCode()).isEqualTo(200);
      assertThat(differingPixels(ServeFixtures.decode(off.body()), library.reage(in, 30, 70)))
          .isZero();
    }
  }

  @Test
  void shutdownFinishesTheRequestInFlight() throws Exception {
    ControlledGenerator gen = new ControlledGenerator(true, null);
    try (ServedModel model = ServedModel.of(gen.reager())) {
      ReageServer server = ReageServer.start(model, config().build());
      URI base = ServeFixtures.base(server);
      CompletableFuture<HttpResponse<byte[]>> inFlight = postAsync(server);
      assertThat(gen.entered.await(30, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
      for (int i = 0; i < 600 && !server.isStopping(); i++) {
        Thread.sleep(10);
      }
      assertThat(server.isStopping()).isTrue();
      assertThat(closing).isNotDone();
      gen.release.countDown();

      HttpResponse<byte[]> r = inFlight.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(ServeFixtures.decode(r.body()).getWidth()).isEqualTo(16);
      closing.get(30, TimeUnit.SECONDS);
      // Stopped: nothing listens any more.
      assertThatThrownBy(() -> ServeFixtures.HTTP.send(
          java.net.http.HttpRequest.newBuilder(base.resolve("healthz"))
              .timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
    }
  }

  @Test
  void shortLoadRunHasNoErrorsBesides429() throws Exception {
    Path modelFile = ServeFixtures.tinyModel(tmp);
    try (ServedModel model = ServedModel.of(ReAger.load(modelFile));
        ReageServer server = ReageServer.start(model,
            config().optMaxConcurrent(1).optMaxQueue(1).build())) {
      // 6 clients for 1 slot and 1 queue place: most requests are turned away, and every one of
      // them must get its 429 (no reset connections).
      LoadBench.Report r = LoadBench.run(ServeFixtures.base(server), 6, Duration.ofSeconds(3), 600,
          ServeFixtures.png(image(32, 32, 5)), ProcessHandle.current().pid());

      assertThat(r.errors).as("errors: %s", r.errorSamples).isZero();
      assertThat(r.ok).isPositive();
      assertThat(r.rejected).isPositive();
      // Bounded by the request cap given above, however fast the machine is.
      assertThat(r.requests).isEqualTo(r.ok + r.rejected).isLessThanOrEqualTo(600);
      assertThat(r.p99Millis).isGreaterThanOrEqualTo(r.p50Millis).isPositive();
      assertThat(r.rssStartKb).isPositive();
    }
  }

  @Test
  void loadBenchRefusesNonLoopbackAddresses() {
    assertThatThrownBy(() -> LoadBench.run(URI.create("http://192.0.2.1:8080/"), 1,
        Duration.ofSeconds(1), 1, new byte[0], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("loopback only");
  }

  @Test
  void percentileIsNearestRank() {
    List<Long> v = List.of(10L, 20L, 30L, 40L, 50L, 60L, 70L, 80L, 90L, 100L);
    assertThat(LoadBench.percentile(v, 0.5)).isEqualTo(50);
    assertThat(LoadBench.percentile(v, 0.99)).isEqualTo(100);
    assertThat(LoadBench.percentile(v, 0.1)).isEqualTo(10);
    assertThat(LoadBench.percentile(List.of(), 0.5)).isZero();
  }
}
