package io.github.fran4j.examples.serve;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.common.io.ByteStreams;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.NoFaceException;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code fran serve} HTTP server: the web page at {@code /}, the re-aging API under
 * {@code /v1}, {@code /healthz} and {@code /metrics}, on Javalin (Jetty) with one shared
 * {@link ServedModel}.
 *
 * <p>Errors are JSON objects {@code {"error": kind, "field": name, "message": text}} (field only
 * where one is at fault): 400 {@code bad_request}, 413 {@code too_large}, 422 {@code no_face},
 * 429 {@code overloaded} (with {@code Retry-After}), 500 {@code internal} (with an {@code id}
 * that is also logged with the stack trace; the client never sees one).
 *
 * <p>{@link #close()} shuts down gracefully: the server stops accepting connections,
 * {@code /healthz} turns 503, and requests in flight finish (up to
 * {@link ServeConfig#stopTimeout()}). Thread-safe.
 */
public final class ReageServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReageServer.class);
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final String WEB = "/io/github/fran4j/examples/serve/web";
  private static final String JSON = "application/json";

  private final ServedModel model;
  private final ServeConfig config;
  private final Admission admission;
  private final ServeMetrics metrics;
  private final Javalin app;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);

  private ReageServer(ServedModel model, ServeConfig config) {
    this.model = checkNotNull(model, "model");
    this.config = checkNotNull(config, "config");
    this.admission = new Admission(config.maxConcurrent(), config.maxQueue());
    this.metrics = new ServeMetrics(admission);
    this.app = Javalin.create(this::configure);
  }

  /**
   * Starts a server.
   *
   * @param model the model to serve; the caller keeps ownership and closes it after the server
   * @param config where to listen and the limits
   * @return the running server
   * @throws io.javalin.util.JavalinException if the port cannot be bound
   */
  public static ReageServer start(ServedModel model, ServeConfig config) {
    ReageServer s = new ReageServer(model, config);
    s.app.start(config.host(), config.port());
    LOG.info("fran serve listening on http://{}:{}/", config.host(), s.port());
    return s;
  }

  /** Returns the port the server listens on (the chosen one when configured with 0). */
  public int port() {
    return app.port();
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** Returns whether a shutdown has begun. */
  boolean isStopping() {
    return stopping.get() || app.jettyServer().server().isStopping();
  }

  /**
   * Stops gracefully: no new connections, requests in flight finish (up to the stop timeout).
   * Does not close the model. Idempotent.
   */
  @Override
  public void close() {
    if (stopping.compareAndSet(false, true)) {
      LOG.info("fran serve stopping: finishing {} request(s) in flight, {} queued",
          admission.inFlight(), admission.queued());
      try {
        app.stop();
      } finally {
        stopped.countDown();
      }
    }
  }

  private void configure(JavalinConfig c) {
    c.startup.showJavalinBanner = false;
    c.startup.showOldJavalinVersionWarning = false;
    c.http.maxRequestSize = config.maxUploadBytes();
    c.jetty.multipartConfig.maxFileSize(config.maxUploadBytes(), SizeUnit.BYTES);
    c.jetty.multipartConfig.maxTotalRequestSize(config.maxUploadBytes(), SizeUnit.BYTES);
    c.jetty.modifyServer(server -> {
      // Jetty's graceful stop: connectors close, then it waits for GracefulHandler's requests.
      server.setStopTimeout(config.stopTimeout().toMillis());
      server.setHandler(new GracefulHandler());
    });
    c.staticFiles.add(sf -> {
      sf.hostedPath = "/";
      sf.directory = WEB;
      sf.location = Location.CLASSPATH;
    });
    c.routes.before(this::checkContentLength);
    c.routes.get("/healthz", this::healthz);
    c.routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
    c.routes.get("/v1/model", ctx -> measured(ctx, "/v1/model", this::modelInfo));
    c.routes.post("/v1/reage", ctx -> measured(ctx, "/v1/reage", this::reage));
    c.routes.post("/v1/sweep", ctx -> measured(ctx, "/v1/sweep", this::sweep));
    c.routes.exception(Exception.class, (e, ctx) -> fail(ctx, e));
    c.routes.error(404, ctx -> {
      if (ctx.result() == null || !JSON.equals(ctx.contentType())) {
        error(ctx, 404, "not_found", null, "no endpoint " + ctx.method() + " " + ctx.path()
            + "; see GET /v1/model, POST /v1/reage, POST /v1/sweep, GET /healthz, GET /metrics");
      }
    });
  }

  private void checkContentLength(Context ctx) {
    // Refused before a byte of the body is read; bodies without a length are limited by the
    // multipart parser instead.
    if (ctx.req().getContentLengthLong() > config.maxUploadBytes()) {
      ctx.header("Connection", "close");
      tooLarge(ctx);
      ctx.skipRemainingHandlers();
    }
  }

  private void healthz(Context ctx) {
    boolean up = !isStopping();
    ctx.status(up ? 200 : 503).contentType(JSON)
        .result(GSON.toJson(Map.of("status", up ? "ok" : "stopping")));
  }

  private void modelInfo(Context ctx) {
    Map<String, Object> m = model.info();
    m.put("max_upload_bytes", config.maxUploadBytes());
    m.put("max_pixels", config.maxPixels());
    m.put("max_concurrent", config.maxConcurrent());
    m.put("max_queue", config.maxQueue());
    m.put("max_sweep_ages", config.maxSweepAges());
    ctx.contentType(JSON).result(GSON.toJson(m));
  }

  private void reage(Context ctx) throws Exception {
    Optional<Admission.Permit> permit = admit(ctx);
    if (permit.isEmpty()) {
      return;
    }
    try (Admission.Permit p = permit.get()) {
      byte[] imageBytes = FormFields.file(ctx, "image");
      double inputAge = FormFields.age(FormFields.text(ctx, "input_age"), "input_age");
      boolean hasMap = FormFields.hasFile(ctx, "age_map");
      // An age map gives the target age per pixel and replaces target_age.
      Double targetAge = hasMap ? null
          : FormFields.age(FormFields.text(ctx, "target_age"), "target_age");
      boolean pipeline = FormFields.pipeline(ctx, model.hasFacePipeline());
      String type = ImageEncoding.negotiate(ctx.header("Accept"));
      BufferedImage image = FormFields.image(imageBytes, "image", config.maxPixels());
      AgeMap target = hasMap ? ageMap(FormFields.file(ctx, "age_map")) : AgeMap.constant(targetAge);
      long t0 = System.nanoTime();
      BufferedImage out = model.reage(image, AgeMap.constant(inputAge), target, pipeline);
      metrics.model("reage", System.nanoTime() - t0);
      ctx.contentType(type).result(ImageEncoding.encode(out, type));
    }
  }

  private AgeMap ageMap(byte[] bytes) {
    BufferedImage grey = FormFields.image(bytes, "age_map", config.maxPixels());
    try {
      return AgeMap.fromGrey(grey);
    } catch (IllegalArgumentException e) {
      throw new InvalidFieldException("age_map", "age_map: " + e.getMessage(), e);
    }
  }

  private void sweep(Context ctx) throws Exception {
    Optional<Admission.Permit> permit = admit(ctx);
    if (permit.isEmpty()) {
      return;
    }
    try (Admission.Permit p = permit.get()) {
      byte[] imageBytes = FormFields.file(ctx, "image");
      double inputAge = FormFields.age(FormFields.text(ctx, "input_age"), "input_age");
      double[] ages = FormFields.ages(FormFields.text(ctx, "ages"), "ages", config.maxSweepAges());
      boolean pipeline = FormFields.pipeline(ctx, model.hasFacePipeline());
      BufferedImage image = FormFields.image(imageBytes, "image", config.maxPixels());
      long t0 = System.nanoTime();
      List<BufferedImage> outs = model.sweep(image, inputAge, ages, pipeline);
      metrics.model("sweep", System.nanoTime() - t0);
      List<String> names = new ArrayList<>();
      for (double a : ages) {
        names.add(ImageEncoding.sweepName(a));
      }
      ctx.contentType(ImageEncoding.ZIP)
          .header("Content-Disposition", "attachment; filename=\"sweep.zip\"")
          .result(ImageEncoding.zipPngs(names, outs));
    }
  }

  /** Takes a model slot, or answers 429 and returns empty. */
  private Optional<Admission.Permit> admit(Context ctx) throws InterruptedException {
    Optional<Admission.Permit> permit = admission.enter();
    if (permit.isEmpty()) {
      long wait = admission.retryAfterSeconds();
      ctx.header("Retry-After", Long.toString(wait));
      drainBody(ctx);
      error(ctx, 429, "overloaded", null, String.format(Locale.ROOT,
          "the server is busy (%d running, %d queued); retry after %d s",
          admission.inFlight(), admission.queued(), wait));
    }
    return permit;
  }

  /**
   * Reads and drops the request body (at most the upload limit). A socket closed with unread
   * bytes is reset by the kernel, and the reset can destroy the response before the client reads
   * it: without this, some clients saw no answer instead of a 429.
   */
  private void drainBody(Context ctx) {
    try (InputStream in = ctx.req().getInputStream()) {
      ByteStreams.exhaust(ByteStreams.limit(in, config.maxUploadBytes()));
    } catch (IOException e) {
      LOG.debug("could not drain a rejected request's body", e);
    }
  }

  private void measured(Context ctx, String endpoint, Handler handler) {
    long t0 = System.nanoTime();
    try {
      handler.handle(ctx);
    } catch (Exception e) {
      fail(ctx, e);
    } finally {
      metrics.request(endpoint, ctx.statusCode(), System.nanoTime() - t0);
    }
  }

  /** Turns an exception into an error response; only 500s are logged, with their id. */
  private void fail(Context ctx, Exception e) {
    if (e instanceof InvalidFieldException) {
      InvalidFieldException f = (InvalidFieldException) e;
      error(ctx, 400, "bad_request", f.field(), f.getMessage());
    } else if (e instanceof NoFaceException) {
      error(ctx, 422, "no_face", "image", e.getMessage());
    } else if (isUploadTooLarge(e)) {
      tooLarge(ctx);
    } else if (e instanceof HttpResponseException && ((HttpResponseException) e).getStatus() < 500) {
      HttpResponseException h = (HttpResponseException) e;
      error(ctx, h.getStatus(), "bad_request", null, h.getMessage());
    } else {
      String id = UUID.randomUUID().toString();
      LOG.error("request {} {} failed (error id {})", ctx.method(), ctx.path(), id, e);
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("error", "internal");
      body.put("id", id);
      body.put("message", "internal error; the server log has the details under this id");
      metrics.error("internal");
      ctx.status(500).contentType(JSON).result(GSON.toJson(body));
    }
  }

  private void tooLarge(Context ctx) {
    error(ctx, 413, "too_large", null, String.format(Locale.ROOT,
        "the request is larger than the upload limit of %,d bytes (fran serve --max-upload-mb)",
        config.maxUploadBytes()));
  }

  /** Jetty reports a multipart body over the configured limits with an exception saying so. */
  private static boolean isUploadTooLarge(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.toLowerCase(Locale.ROOT).matches(".*(exceeds max|max.*(size|length).*exceeded|too large).*")) {
        return true;
      }
    }
    return false;
  }

  private void error(Context ctx, int status, String kind, String field, String message) {
    metrics.error(kind);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", kind);
    if (field != null) {
      body.put("field", field);
    }
    body.put("message", message);
    ctx.status(status).contentType(JSON).result(GSON.toJson(body));
  }
}
