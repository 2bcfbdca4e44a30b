package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.image.PlanarImage;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.tensor.Tensor;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Turns a folder of face images into generator inputs for int8 calibration: each image is
 * centre-cropped to a square, resized (bilinear) to the model resolution and scaled to [0, 1]; the
 * input-age plane comes from the parent folder's name when it is an age (the dataset layout
 * {@code ROOT/{split}/{age}/{id}.jpg}), else from a seeded draw, and the target ages run through
 * 10, 15, ..., 85 in seeded shuffled rounds, so that every target age is calibrated equally often
 * (the largest activations come with the largest age gaps; a missed one saturates). A final
 * utility class; thread-safe.
 */
public final class CalibrationImages {
  private CalibrationImages() {}

  /** The dataset's ages: 10, 15, ..., 85. */
  private static final int AGES = 16;

  /**
   * Loads up to {@code max} images found anywhere under {@code folder} ({@code .jpg},
   * {@code .jpeg}, {@code .png}), in sorted path order.
   *
   * @param folder the folder
   * @param resolution the square size to resize to
   * @param max the most images to load
   * @param seed seed for the age draws
   * @return one {@code [1, 5, resolution, resolution]} tensor per image
   * @throws IOException if the folder is missing, holds no images, or an image cannot be decoded
   */
  public static List<Tensor> load(Path folder, int resolution, int max, long seed)
      throws IOException {
    checkNotNull(folder, "folder");
    checkArgument(resolution >= 1, "resolution must be positive, got %s", resolution);
    checkArgument(max >= 1, "max must be positive, got %s", max);
    if (!Files.isDirectory(folder)) {
      throw new NoSuchFileException(folder.toString(), null,
          "calibration folder does not exist or is not a folder");
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(folder)) {
      files = s.filter(Files::isRegularFile)
          .filter(p -> {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png");
          })
          .sorted()
          .collect(Collectors.toList());
    }
    if (files.isEmpty()) {
      throw new IOException("no .jpg, .jpeg or .png images under calibration folder " + folder);
    }
    // Spread the picks over the sorted list so that every age folder contributes.
    List<Path> picked = new ArrayList<>();
    int n = Math.min(max, files.size());
    for (int i = 0; i < n; i++) {
      picked.add(files.get((int) ((long) i * files.size() / n)));
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Tensor> out = new ArrayList<>();
    int[] targets = new int[AGES];
    for (int k = 0; k < picked.size(); k++) {
      if (k % AGES == 0) {
        for (int i = 0; i < AGES; i++) {
          targets[i] = 10 + 5 * i;
        }
        for (int i = AGES - 1; i > 0; i--) {
          int j = rnd.nextInt(i + 1);
          int t = targets[i];
          targets[i] = targets[j];
          targets[j] = t;
        }
      }
      Path p = picked.get(k);
      // Photos names the file in every error (ImageIO alone says "I/O error reading PNG header!").
      BufferedImage img;
      try {
        img = Photos.read(p, Photos.DEFAULT_MAX_PIXELS);
      } catch (IOException e) {
        throw new IOException("cannot decode calibration image " + p + " (" + e.getMessage() + ")",
            e);
      }
      float inAge = ageFromFolder(p).orElse(10f + 5 * rnd.nextInt(AGES));
      out.add(toInput(img, resolution, inAge, targets[k % AGES]));
    }
    return out;
  }

  private static java.util.Optional<Float> ageFromFolder(Path p) {
    Path parent = p.getParent();
    if (parent == null) {
      return java.util.Optional.empty();
    }
    try {
      int age = Integer.parseInt(parent.getFileName().toString());
      return age >= 0 && age <= 120 ? java.util.Optional.of((float) age)
          : java.util.Optional.empty();
    } catch (NumberFormatException e) {
      return java.util.Optional.empty();
    }
  }

  /**
   * Encodes one image as a generator input.
   *
   * @param img the image (any size; centre-cropped to a square)
   * @param resolution output size
   * @param inputAge the age shown, in years
   * @param targetAge the age wanted, in years
   * @return {@code [1, 5, resolution, resolution]}
   */
  public static Tensor toInput(BufferedImage img, int resolution, float inputAge, float targetAge) {
    int side = Math.min(img.getWidth(), img.getHeight());
    BufferedImage sq = new BufferedImage(resolution, resolution, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = sq.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
          RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      int x0 = (img.getWidth() - side) / 2;
      int y0 = (img.getHeight() - side) / 2;
      g.drawImage(img, 0, 0, resolution, resolution, x0, y0, x0 + side, y0 + side, null);
    } finally {
      g.dispose();
    }
    return GeneratorInput.of(PlanarImage.fromBufferedImage(sq), AgeMap.constant(inputAge),
        AgeMap.constant(targetAge));
  }
}
