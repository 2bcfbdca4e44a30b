package io.github.fran4j.examples.serve;

import static io.github.fran4j.examples.serve.ServeFixtures.differingPixels;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.fran4j.core.ReAger;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Drives the page in headless Chromium: upload a face, set the ages, re-age, and check that the
 * image the page shows has exactly the pixels {@link ReAger} gives; then sweep and check the
 * strip. Skips when Debian's chromium and chromium-driver are not installed (.ci/run installs
 * them). Saves target/serve-page.png, the screenshot in docs/serving.md.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ServePageBrowserTest {
  private static final Path CHROMIUM = Path.of(System.getProperty("fran.chromium", "/usr/bin/chromium"));
  private static final Path DRIVER =
      Path.of(System.getProperty("fran.chromedriver", "/usr/bin/chromedriver"));

  @TempDir Path tmp;

  /** A face: the shared Grace Hopper portrait when present (downscaled), else a synthetic image. */
  private BufferedImage face() throws Exception {
    Path hopper = Path.of(System.getProperty("fran.shared.dir", "../shared"), "photos",
        "grace_hopper_512x512.jpg");
    if (!Files.isRegularFile(hopper)) {
      return ServeFixtures.image(128, 128, 11);
    }
    BufferedImage big = ImageIO.read(hopper.toFile());
    BufferedImage small = new BufferedImage(128, 128, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = small.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
    g.drawImage(big, 0, 0, 128, 128, null);
    g.dispose();
    return small;
  }

  private ChromeDriver browser() {
    ChromeOptions o = new ChromeOptions();
    o.setBinary(CHROMIUM.toFile());
    o.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--force-color-profile=srgb", "--window-size=1100,900",
        "--user-data-dir=" + tmp.resolve("chromium-profile"));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    return new ChromeDriver(service, o);
  }

  @Test
  void uploadReageAndSweepInARealBrowser() throws Exception {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "headless browser test skipped: install Debian's chromium and chromium-driver");
    Path modelFile = ServeFixtures.tinyModel(tmp);
    BufferedImage in = face();
    Path photo = tmp.resolve("face.png");
    ImageIO.write(in, "png", photo.toFile());

    try (ReAger library = ReAger.load(modelFile);
        ServedModel model = ServedModel.of(ReAger.load(modelFile));
        ReageServer server = ReageServer.start(model, ServeConfig.builder().optPort(0).build())) {
      ChromeDriver d = browser();
      try {
        WebDriverWait wait = new WebDriverWait(d, Duration.ofSeconds(60));
        d.get(ServeFixtures.base(server).toString());
        wait.until(x -> d.findElement(By.id("model")).getText().startsWith("Model:"));
        assertThat(d.findElement(By.id("pipelineToggle")).isDisplayed()).isFalse();

        d.findElement(By.id("photo")).sendKeys(photo.toAbsolutePath().toString());
        setSlider(d, "inputAge", 35);
        setSlider(d, "targetAge", 65);
        assertThat(d.findElement(By.id("targetAgeValue")).getText()).isEqualTo("65");
        wait.until(x -> d.findElement(By.id("reage")).isEnabled());
        d.findElement(By.id("reage")).click();
        wait.until(x -> "Done.".equals(d.findElement(By.id("status")).getText()));

        BufferedImage expected = library.reage(in, 35, 65);
        // The bytes the page received, decoded here.
        BufferedImage shown = ImageIO.read(new java.io.ByteArrayInputStream(
            Base64.getDecoder().decode((String) d.executeAsyncScript(FETCH_AS_BASE64, "output"))));
        assertThat(differingPixels(shown, expected)).isZero();
        // The pixels the page displays, read back through a canvas.
        assertThat(canvasPixels(d, "output")).containsExactly(rgb(expected));
        assertThat(differingPixels(expected, in)).isPositive();
        WebElement download = d.findElement(By.id("download"));
        assertThat(download.isDisplayed()).isTrue();
        assertThat(download.getAttribute("href")).isEqualTo(
            d.findElement(By.id("output")).getAttribute("src"));

        d.findElement(By.id("sweep")).click();
        wait.until(x -> "Sweep done.".equals(d.findElement(By.id("status")).getText()));
        List<WebElement> strip = d.findElements(By.cssSelector("#strip img"));
        assertThat(strip).hasSize(7);
        wait.until(x -> strip.stream().allMatch(i -> ((Number) d.executeScript(
            "return arguments[0].complete ? arguments[0].naturalWidth : 0;", i)).intValue() == 128));
        assertThat(d.findElements(By.cssSelector("#strip figcaption")).get(6).getText())
            .isEqualTo("age 80");

        Path shot = Path.of("target", "serve-page.png");
        Files.createDirectories(shot.getParent());
        Files.write(shot, d.getScreenshotAs(OutputType.BYTES));
        assertThat(ImageIO.read(shot.toFile()).getWidth()).isPositive();
      } finally {
        d.quit();
      }
    }
  }

  private static final String FETCH_AS_BASE64 =
      "const done = arguments[arguments.length - 1];"
      + "fetch(document.getElementById(arguments[0]).src).then(r => r.arrayBuffer()).then(b => {"
      + "  const u = new Uint8Array(b); let s = '';"
      + "  for (let i = 0; i < u.length; i++) { s += String.fromCharCode(u[i]); }"
      + "  done(btoa(s));"
      + "});";

  private static void setSlider(JavascriptExecutor d, String id, int value) {
    d.executeScript("const s = document.getElementById(arguments[0]); s.value = arguments[1];"
        + "s.dispatchEvent(new Event('input'));", id, value);
  }

  /** Reads an img element's pixels through a canvas, as 0xRRGGBB ints in row order. */
  private static int[] canvasPixels(JavascriptExecutor d, String id) {
    @SuppressWarnings("unchecked")
    List<Number> v = (List<Number>) d.executeScript(
        "const img = document.getElementById(arguments[0]);"
        + "const c = document.createElement('canvas');"
        + "c.width = img.naturalWidth; c.height = img.naturalHeight;"
        + "const g = c.getContext('2d'); g.drawImage(img, 0, 0);"
        + "const p = g.getImageData(0, 0, c.width, c.height).data; const out = [];"
        + "for (let i = 0; i < p.length; i += 4) { out.push(p[i] << 16 | p[i + 1] << 8 | p[i + 2]); }"
        + "return out;", id);
    return v.stream().mapToInt(Number::intValue).toArray();
  }

  private static int[] rgb(BufferedImage img) {
    int[] out = new int[img.getWidth() * img.getHeight()];
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        out[y * img.getWidth() + x] = img.getRGB(x, y) & 0xffffff;
      }
    }
    return out;
  }
}
