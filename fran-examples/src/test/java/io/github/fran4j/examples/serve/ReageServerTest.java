package io.github.fran4j.examples.serve;

import static io.github.fran4j.examples.serve.ServeFixtures.differingPixels;
import static io.github.fran4j.examples.serve.ServeFixtures.get;
import static io.github.fran4j.examples.serve.ServeFixtures.image;
import static io.github.fran4j.examples.serve.ServeFixtures.png;
import static io.github.fran4j.examples.serve.ServeFixtures.post;
import static io.github.fran4j.examples.serve.ServeFixtures.reageForm;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API against the tiny model: results equal the library's, and every documented error. */
class ReageServerTest {
  @TempDir static Path tmp;
  static ReAger library;
  static ServedModel served;
  static ReageServer server;

  @BeforeAll
  static void start() throws Exception {
    Path model = ServeFixtures.tinyModel(tmp);
    library = ReAger.load(model);
    served = ServedModel.of(ReAger.load(model));
    server = ReageServer.start(served, ServeConfig.builder().optPort(0)
        .optMaxUploadBytes(256 * 1024).optMaxPixels(1_000_000).optMaxSweepAges(4).build());
  }

  @AfterAll
  static void stop() {
    server.close();
    served.close();
    library.close();
  }

  static JsonObject json(HttpResponse<byte[]> r) {
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("application/json"));
    String body = new String(r.body(), StandardCharsets.UTF_8);
    // Nothing leaks a stack trace.
    assertThat(body).doesNotContain("\tat ").doesNotContain("Exception");
    return JsonParser.parseString(body).getAsJsonObject();
  }

  static void assertFieldError(HttpResponse<byte[]> r, String field, String messagePart) {
    assertThat(r.statusCode()).isEqualTo(400);
    JsonObject e = json(r);
    assertThat(e.get("error").getAsString()).isEqualTo("bad_request");
    assertThat(e.get("field").getAsString()).isEqualTo(field);
    assertThat(e.get("message").getAsString()).contains(messagePart);
  }

  @Test
  void reageEqualsTheLibraryBitForBit() throws Exception {
    // 40x36 is not a multiple of the model's 4: the server must pad and crop like the library.
    BufferedImage in = image(40, 36, 1);
    HttpResponse<byte[]> r = post(server, "v1/reage", reageForm(in), null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/png");
    BufferedImage got = ServeFixtures.decode(r.body());
    BufferedImage expected = library.reage(in, 30, 70);
    assertThat(differingPixels(got, expected)).isZero();
    assertThat(r.body()).isEqualTo(png(expected));
    // The model changed the photo, so the comparison above is not between two copies of it.
    assertThat(differingPixels(got, in)).isGreaterThan(40 * 36 / 2);
  }

  @Test
  void jpegWhenAccepted() throws Exception {
    HttpResponse<byte[]> r = post(server, "v1/reage", reageForm(image(32, 32, 2)), "image/jpeg");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("image/jpeg");
    assertThat(r.body()[0] & 0xff).isEqualTo(0xFF);
    assertThat(r.body()[1] & 0xff).isEqualTo(0xD8);
    assertThat(ServeFixtures.decode(r.body()).getWidth()).isEqualTo(32);
  }

  @Test
  void ageMapGivesTheTargetAgePerPixel() throws Exception {
    BufferedImage in = image(32, 32, 3);
    BufferedImage map = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        map.getRaster().setSample(x, y, 0, x < 16 ? 30 : 80);
      }
    }
    MultipartBody form = new MultipartBody().file("image", "f.png", "image/png", png(in))
        .field("input_age", "30").file("age_map", "map.png", "image/png", png(map));

    HttpResponse<byte[]> r = post(server, "v1/reage", form, null);

    assertThat(r.statusCode()).isEqualTo(200);
    BufferedImage expected = library.reage(in, AgeMap.constant(30), AgeMap.fromGrey(map));
    assertThat(differingPixels(ServeFixtures.decode(r.body()), expected)).isZero();
  }

  @Test
  void sweepIsAZipOfThePngsTheLibraryMakes() throws Exception {
    BufferedImage in = image(32, 32, 4);
    MultipartBody form = new MultipartBody().file("image", "f.png", "image/png", png(in))
        .field("input_age", "30").field("ages", "20,40,60");

    HttpResponse<byte[]> r = post(server, "v1/sweep", form, null);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/zip");
    List<String> names = new ArrayList<>();
    List<BufferedImage> images = new ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(r.body()))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        names.add(e.getName());
        images.add(ServeFixtures.decode(zip.readAllBytes()));
      }
    }
    assertThat(names).containsExactly("age_20.png", "age_40.png", "age_60.png");
    List<BufferedImage> expected = library.sweep(in, 30, 20, 40, 60);
    for (int i = 0; i < 3; i++) {
      assertThat(differingPixels(images.get(i), expected.get(i))).as(names.get(i)).isZero();
    }
    assertThat(differingPixels(images.get(0), images.get(2))).isPositive();
  }

  @Test
  void modelDescribesTheLoadedNetwork() throws Exception {
    HttpResponse<String> r = get(server, "v1/model");

    assertThat(r.statusCode()).isEqualTo(200);
    JsonObject m = JsonParser.parseString(r.body()).getAsJsonObject();
    assertThat(m.get("family").getAsString()).isEqualTo("fran-unet");
    assertThat(m.get("width").getAsInt()).isEqualTo(4);
    assertThat(m.get("depth").getAsInt()).isEqualTo(2);
    // The backend the file type picks (ONNX Runtime when fran-onnx is on the class path).
    assertThat(library.describe()).startsWith(m.get("backend").getAsString() + " (cpu");
    assertThat(m.get("backend").getAsString()).isIn("onnxruntime", "pure-java");
    assertThat(m.get("device").getAsString()).isEqualTo("cpu");
    assertThat(m.get("resolution").getAsInt()).isEqualTo(32);
    assertThat(m.get("face_pipeline").getAsBoolean()).isFalse();
    assertThat(m.get("max_upload_bytes").getAsLong()).isEqualTo(256 * 1024);
  }

  @Test
  void healthzAndThePage() throws Exception {
    HttpResponse<String> h = get(server, "healthz");
    assertThat(h.statusCode()).isEqualTo(200);
    assertThat(h.body()).contains("\"ok\"");

    HttpResponse<String> page = get(server, "");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("<title>FRAN re-aging</title>").contains("app.js")
        .doesNotContain("http://").doesNotContain("https://");
    HttpResponse<String> js = get(server, "app.js");
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("v1/reage").doesNotContain("http://").doesNotContain("https://");
  }

  @Test
  void missingFieldsAreNamed() throws Exception {
    assertFieldError(post(server, "v1/reage", new MultipartBody().field("input_age", "30")
        .field("target_age", "70"), null), "image", "missing");
    assertFieldError(post(server, "v1/reage", new MultipartBody()
        .file("image", "f.png", "image/png", png(image(32, 32, 5))).field("target_age", "70"), null),
        "input_age", "missing");
    assertFieldError(post(server, "v1/reage", new MultipartBody()
        .file("image", "f.png", "image/png", png(image(32, 32, 5))).field("input_age", "30"), null),
        "target_age", "missing");
    assertFieldError(post(server, "v1/sweep", new MultipartBody()
        .file("image", "f.png", "image/png", png(image(32, 32, 5))).field("input_age", "30"), null),
        "ages", "missing");
  }

  @Test
  void badAgesAreNamed() throws Exception {
    byte[] img = png(image(32, 32, 6));
    assertFieldError(post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "abc").field("target_age", "70"), null),
        "input_age", "'abc'");
    assertFieldError(post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "30").field("target_age", "200"), null),
        "target_age", "[0, 150]");
    assertFieldError(post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "NaN").field("target_age", "70"), null),
        "input_age", "'NaN'");
    assertFieldError(post(server, "v1/sweep", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "30").field("ages", "20,x"), null), "ages", "'x'");
    assertFieldError(post(server, "v1/sweep", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "30").field("ages", "20,20"), null), "ages", "twice");
    assertFieldError(post(server, "v1/sweep", new MultipartBody().file("image", "f.png",
        "image/png", img).field("input_age", "30").field("ages", "20,30,40,50,60"), null),
        "ages", "at most 4");
  }

  @Test
  void badImagesAreNamed() throws Exception {
    assertFieldError(post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", "not a picture".getBytes(StandardCharsets.UTF_8)).field("input_age", "30")
        .field("target_age", "70"), null), "image", "not an image format");
    // A truncated PNG: a valid header, then nothing.
    byte[] whole = png(image(64, 64, 7));
    byte[] cut = java.util.Arrays.copyOf(whole, 60);
    HttpResponse<byte[]> r = post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", cut).field("input_age", "30").field("target_age", "70"), null);
    assertFieldError(r, "image", "image");
    assertFieldError(post(server, "v1/reage", new MultipartBody().file("image", "f.png",
        "image/png", png(image(32, 32, 8))).field("input_age", "30")
        .file("age_map", "m.png", "image/png", "junk".getBytes(StandardCharsets.UTF_8)), null),
        "age_map", "not an image format");
    assertFieldError(post(server, "v1/reage", reageForm(image(32, 32, 9))
        .field("pipeline", "on"), null), "pipeline", "--detector");
  }

  @Test
  void decompressionBombIsRefusedFromItsHeader() throws Exception {
    // 60 bytes claiming 50,000 x 50,000 pixels: refused by the pixel limit, never decoded (a
    // decode attempt would fail with "cannot decode" instead, the IDAT being absent).
    byte[] bomb = PngHeader.claiming(50_000, 50_000);

    HttpResponse<byte[]> r = post(server, "v1/reage", new MultipartBody().file("image", "b.png",
        "image/png", bomb).field("input_age", "30").field("target_age", "70"), null);

    assertFieldError(r, "image", "exceeds the pixel limit of 1,000,000");
  }

  @Test
  void overTheUploadLimitIs413() throws Exception {
    byte[] big = new byte[300 * 1024];
    new java.util.Random(1).nextBytes(big);
    HttpResponse<byte[]> r = post(server, "v1/reage", new MultipartBody().file("image", "big.png",
        "image/png", big).field("input_age", "30").field("target_age", "70"), null);

    assertThat(r.statusCode()).isEqualTo(413);
    JsonObject e = json(r);
    assertThat(e.get("error").getAsString()).isEqualTo("too_large");
    assertThat(e.get("message").getAsString()).contains("262,144 bytes");
  }

  @Test
  void overTheUploadLimitWithoutALengthIs413() throws Exception {
    byte[] big = new byte[300 * 1024];
    new java.util.Random(2).nextBytes(big);
    MultipartBody form = new MultipartBody().field("input_age", "30").field("target_age", "70")
        .file("image", "big.png", "image/png", big);
    // Streamed from an InputStream: sent chunked, with no Content-Length to refuse up front.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    form.publisher().subscribe(new java.util.concurrent.Flow.Subscriber<java.nio.ByteBuffer>() {
      @Override
      public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(java.nio.ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.get(a);
        bytes.writeBytes(a);
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onComplete() {}
    });
    java.net.http.HttpRequest req = java.net.http.HttpRequest.newBuilder(
        ServeFixtures.base(server).resolve("v1/reage"))
        .header("Content-Type", form.contentType())
        .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
            () -> new ByteArrayInputStream(bytes.toByteArray()))).build();

    HttpResponse<byte[]> r = ServeFixtures.HTTP.send(req, HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(json(r).get("error").getAsString()).isEqualTo("too_large");
  }

  @Test
  void unknownPathIsJson404() throws Exception {
    HttpResponse<String> r = get(server, "v1/nothing");
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("\"not_found\"");
  }

  @Test
  void metricsAreInThePrometheusTextFormat() throws Exception {
    post(server, "v1/reage", reageForm(image(32, 32, 10)), null);
    post(server, "v1/reage", new MultipartBody().field("input_age", "x"), null);

    HttpResponse<String> r = get(server, "metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body())
        .containsPattern("fran_http_requests_total\\{endpoint=\"/v1/reage\",status=\"200\"} [1-9]")
        .containsPattern("fran_http_requests_total\\{endpoint=\"/v1/reage\",status=\"400\"} [1-9]")
        .containsPattern("fran_http_errors_total\\{kind=\"bad_request\"} [1-9]")
        .containsPattern(
            "fran_http_request_duration_seconds_bucket\\{endpoint=\"/v1/reage\",le=\"\\+Inf\"} [1-9]")
        .containsPattern("fran_model_duration_seconds_count\\{operation=\"reage\"} [1-9]")
        .contains("fran_queue_depth 0")
        .contains("fran_requests_in_flight 0");
  }
}
