package io.github.fran4j.examples.serve;

import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.spi.Generator;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.examples.TinyModel;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;

/** Small models, images and an HTTP client for the server tests. */
final class ServeFixtures {
  /** A width-4, depth-2 U-Net: milliseconds per small image on the pure-Java backend. */
  static final UNetConfig TINY = TinyModel.CONFIG;

  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .build();

  private ServeFixtures() {}

  /** Writes the tiny model with random weights as {@code tiny.safetensors}. */
  static Path tinyModel(Path dir) throws IOException {
    return TinyModel.write(dir);
  }

  /** A smooth colourful RGB image with a little seeded noise. */
  static BufferedImage image(int w, int h, long seed) {
    return TinyModel.image(w, h, seed);
  }

  static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static BufferedImage decode(byte[] bytes) throws IOException {
    BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
    if (img == null) {
      throw new IOException("not an image: " + bytes.length + " bytes");
    }
    return img;
  }

  /** Counts pixels whose RGB differs (the images must have the same size). */
  static int differingPixels(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) {
      throw new AssertionError("sizes differ: " + a.getWidth() + "x" + a.getHeight() + " vs "
          + b.getWidth() + "x" + b.getHeight());
    }
    int n = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        if ((a.getRGB(x, y) & 0xffffff) != (b.getRGB(x, y) & 0xffffff)) {
          n++;
        }
      }
    }
    return n;
  }

  static URI base(ReageServer server) {
    return URI.create("http://127.0.0.1:" + server.port() + "/");
  }

  static HttpResponse<byte[]> post(ReageServer server, String path, MultipartBody body,
      String accept) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(base(server).resolve(path))
        .timeout(Duration.ofSeconds(60)).header("Content-Type", body.contentType())
        .POST(body.publisher());
    if (accept != null) {
      b.header("Accept", accept);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static HttpResponse<String> get(ReageServer server, String path)
      throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(base(server).resolve(path))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A minimal valid reage form: a 32x32 photo, 30 to 70. */
  static MultipartBody reageForm(BufferedImage img) {
    return new MultipartBody().file("image", "face.png", "image/png", png(img))
        .field("input_age", "30").field("target_age", "70");
  }

  /**
   * A generator that returns a zero delta, optionally holding each call until released, or
   * failing: to make requests pile up, shutdowns overlap a request, and the engine fail.
   */
  static final class ControlledGenerator implements Generator {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release;
    final RuntimeException failure;

    ControlledGenerator(boolean hold, RuntimeException failure) {
      this.release = new CountDownLatch(hold ? 1 : 0);
      this.failure = failure;
    }

    @Override
    public Tensor predict(Tensor input) {
      entered.countDown();
      try {
        if (!release.await(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("test generator was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      if (failure != null) {
        throw failure;
      }
      int[] s = input.shape();
      return Tensor.zeros(s[0], 3, s[2], s[3]);
    }

    @Override
    public Optional<UNetConfig> config() {
      return Optional.empty();
    }

    @Override
    public int sizeMultiple() {
      return 1;
    }

    @Override
    public int resolution() {
      return 32;
    }

    @Override
    public String describe() {
      return "controlled (cpu)";
    }

    @Override
    public void close() {}

    ReAger reager() throws IOException {
      return ReAger.builder().setGenerator(this).build();
    }
  }
}
