package io.github.fran4j.examples.cli;

import io.github.fran4j.core.ReAgeOptions;
import io.github.fran4j.core.ReAger;
import io.github.fran4j.core.image.AgeMap;
import io.github.fran4j.core.pipeline.AgeKeyframes;
import io.github.fran4j.core.pipeline.CommunityRecipe;
import io.github.fran4j.core.pipeline.Face;
import io.github.fran4j.core.pipeline.FaceDetector;
import io.github.fran4j.core.pipeline.LandmarkSmoother;
import io.github.fran4j.core.pipeline.NoFacePolicy;
import io.github.fran4j.core.pipeline.PhotoMemory;
import io.github.fran4j.core.pipeline.Photos;
import io.github.fran4j.core.pipeline.PixelLimit;
import io.github.fran4j.core.pipeline.WorkingImages;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fran reage}: re-ages a photo or a folder of photos (or video frames) with the production
 * pipeline: faces found by a detector, a given box, or the whole image, aligned, re-aged, and the
 * delta pasted back at full resolution.
 */
@Command(
    name = "reage",
    mixinStandardHelpOptions = true,
    description = {
      "Re-age the faces in a photo or a folder of photos.",
      "A folder is processed as a sequence (frames in name order): faces are tracked and their",
      "landmarks smoothed over time (--smooth), and --to may give keyframes FRAME:AGE,..."
    })
public final class ReageCommand implements Callable<Integer> {
  private static final List<String> IMAGE_EXTENSIONS = List.of("jpg", "jpeg", "png", "bmp");

  @Spec CommandSpec spec;

  @Option(names = "--model", required = true, description = "Model file (.onnx, .safetensors or .pth, either U-Net family).")
  Path model;

  @Option(names = "--input", required = true, description = "An image file or a folder of images.")
  Path input;

  @Option(names = "--output", required = true,
      description = "Output file (for one image) or folder (for a folder, a sweep or --grid of many).")
  Path output;

  @Option(names = "--from", required = true, description = "The apparent age in the input, years.")
  double from;

  @Option(names = "--to", required = true,
      description = "Target age; several ages (50,60,70) make a sweep; for folders also keyframes "
          + "(0:30,120:70).")
  String to;

  @Mixin FaceOptions faces;

  @Option(names = "--age-map",
      description = "Grey PNG of target ages over the image (level = age in years); replaces --to.")
  Path ageMap;

  @Option(names = "--grid", description = "Write input and results side by side in one image.")
  boolean grid;

  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu, cuda or cuda:N.")
  String device;

  @Option(names = "--crop-resolution", defaultValue = "0",
      description = "Resolution faces are re-aged at (0: the model's own).")
  int cropResolution;

  @Option(names = "--tile-size", defaultValue = "0", description = "Tile side for large crops (0: none).")
  int tileSize;

  @Option(names = "--max-pixels", defaultValue = "100000000", description = "Largest image accepted.")
  long maxPixels;

  @Option(names = "--memory",
      description = "Memory budget for one photo, e.g. 4g or 512m; a photo larger than it allows "
          + "at the chosen mode (measured bytes per megapixel, see docs/reliability.md) is refused "
          + "before decoding. Default: 3/4 of the machine's memory (or -Xmx if larger).")
  String memory;

  @Option(names = "--no-face", defaultValue = "warn", description = "warn (copy unchanged) or fail.")
  String noFace;

  @Option(names = "--smooth", defaultValue = "2.0",
      description = "Landmark smoothing over frames for folders (Gaussian sigma in frames; 0: off).")
  double smooth;

  @Option(names = "--recipe", defaultValue = "aligned",
      description = "aligned (the SDK's face pipeline, default) or community (face_reaging's: a "
          + "square crop with margins around each face box, resized to 1024, 512 windows every "
          + "256, only the delta added; constant --to ages).")
  String recipe;

  @Option(names = "--lenient",
      description = "Re-age images the decoder warns about (truncated or corrupt: the damage is "
          + "grey) with a warning instead of refusing them.")
  boolean lenient;

  /**
   * Refuses values out of range and options that would do nothing in the chosen mode, naming the
   * option, the value and the reason (picocli turns the exception into a usage error, exit 2).
   */
  private void validate() {
    CommandLine cl = spec.commandLine();
    if (!noFace.equalsIgnoreCase("warn") && !noFace.equalsIgnoreCase("fail")) {
      throw new ParameterException(cl, "--no-face '" + noFace + "' is not a policy, expected warn "
          + "(copy the image unchanged) or fail");
    }
    if (!(smooth >= 0) || Double.isInfinite(smooth)) {
      throw new ParameterException(cl, "--smooth " + smooth + " must be a finite sigma >= 0 frames "
          + "(0: off)");
    }
    if (tileSize < 0) {
      throw new ParameterException(cl, "--tile-size " + tileSize + " must be >= 0 (0: no tiling)");
    }
    if (cropResolution < 0) {
      throw new ParameterException(cl, "--crop-resolution " + cropResolution
          + " must be >= 0 (0: the model's own)");
    }
    if (maxPixels <= 0) {
      throw new ParameterException(cl, "--max-pixels " + maxPixels + " must be > 0");
    }
    if (memory != null) {
      try {
        PhotoMemory.parse(memory);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(cl, "--memory: " + e.getMessage());
      }
    }
    faces.validate(cl);
    if (faces.wholeImage()) {
      for (String option : List.of("--crop-resolution", "--tile-size")) {
        if (cl.getParseResult().hasMatchedOption(option)) {
          throw new ParameterException(cl, option + " has no effect when the whole image is the "
              + "face (--face full, or auto without --detector): the image runs at its own size. "
              + "Remove it, or give --detector or --face x,y,w,h");
        }
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    if (!recipe.equals("aligned") && !recipe.equals("community")) {
      throw new ParameterException(spec.commandLine(),
          "--recipe '" + recipe + "' is not one of [aligned, community]");
    }
    if (recipe.equals("community") && ageMap != null) {
      throw new ParameterException(spec.commandLine(),
          "--recipe community takes constant --to ages, not --age-map");
    }
    if (!Files.exists(input)) {
      throw new ParameterException(spec.commandLine(), "--input " + input
          + (Files.exists(input, java.nio.file.LinkOption.NOFOLLOW_LINKS)
              ? " is a symbolic link that does not resolve (a loop or a missing target)"
              : " does not exist"));
    }
    boolean folder = Files.isDirectory(input);
    OptionChecks.of(spec.commandLine()).onlyWhen("--smooth", folder, "for a single image: "
        + "landmarks are smoothed over the frames of a folder");
    List<String> targets = List.of(to.split(","));
    boolean keyframes = to.contains(":");
    if (keyframes && !folder) {
      throw new ParameterException(spec.commandLine(),
          "--to keyframes (FRAME:AGE) need a folder of frames as --input");
    }
    AgeMap.checkAge(from, "--from");
    ReAgeOptions options = options();
    try (FaceDetector det = options.openDetector(); ReAger reager = reager(options, det)) {
      PixelLimit limit = reager.pixelLimit();
      if (!folder) {
        BufferedImage img = Photos.read(input, limit, lenient);
        List<BufferedImage> outs = run(reager, img, detect(reager, img), targetMaps(targets, img));
        write(img, outs, targets, output, input.getFileName().toString(), false);
        return 0;
      }
      List<Path> frames;
      try (Stream<Path> s = Files.list(input)) {
        frames = s.filter(ReageCommand::isImage).sorted().collect(Collectors.toList());
      }
      if (frames.isEmpty()) {
        throw new ParameterException(spec.commandLine(), "--input folder " + input + " has no images ("
            + String.join(", ", IMAGE_EXTENSIONS) + ")");
      }
      Files.createDirectories(output);
      List<List<Face>> faces = new ArrayList<>();
      if (reager.pipeline().isPresent()) {
        try (ProgressBar pb = bar("detect", frames.size())) {
          for (Path f : frames) {
            faces.add(detect(reager, Photos.read(f, limit, lenient)));
            pb.step();
          }
        }
      } else {
        for (int i = 0; i < frames.size(); i++) {
          faces.add(List.of());
        }
      }
      if (smooth > 0 && reager.pipeline().isPresent()) {
        faces = new LandmarkSmoother(smooth, 0.3).smooth(faces);
      }
      AgeKeyframes keys = keyframes ? AgeKeyframes.parse(to) : null;
      try (ProgressBar pb = bar("re-age", frames.size())) {
        for (int i = 0; i < frames.size(); i++) {
          BufferedImage img = Photos.read(frames.get(i), limit, lenient);
          List<String> t = keys != null
              ? List.of(String.format(Locale.ROOT, "%.2f", keys.ageAt(i))) : targets;
          List<BufferedImage> outs = run(reager, img, faces.get(i), targetMaps(t, img));
          write(img, outs, keys != null ? List.of("") : targets, output,
              frames.get(i).getFileName().toString(), true);
          pb.step();
        }
      }
    }
    return 0;
  }

  /**
   * The options as {@link ReAgeOptions}, the one mapping to a re-ager: the whole image as the
   * face uses ReAger's exact whole-image path; anything else the face pipeline.
   */
  private ReAgeOptions options() {
    ReAgeOptions.Builder b = ReAgeOptions.builder().setModel(model.toString()).optDevice(device)
        .optMaxPixels(maxPixels).optCropResolution(cropResolution)
        .optTileSize(tileSize)
        .optNoFacePolicy(noFace.equalsIgnoreCase("fail") ? NoFacePolicy.THROW : NoFacePolicy.RETURN_UNCHANGED);
    try {
      return faces.apply(b).build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** The options' re-ager plus what only this command sets: the memory budget and the recipe. */
  private ReAger reager(ReAgeOptions options, FaceDetector det) throws IOException {
    ReAger.Builder b = options.reagerBuilder(det, Path::of).optPhotoMemory(photoMemory());
    if (recipe.equals("community")) {
      b.optCommunityRecipe(CommunityRecipe.create());
    }
    return b.build();
  }

  private PhotoMemory photoMemory() {
    return memory == null ? PhotoMemory.ofMachine() : PhotoMemory.parse(memory);
  }

  private static List<Face> detect(ReAger reager, BufferedImage img) {
    return reager.pipeline().map(p -> p.detect(img)).orElse(List.of());
  }

  private List<BufferedImage> run(ReAger reager, BufferedImage img, List<Face> faces,
      List<AgeMap> targets) {
    if (reager.communityRecipe().isPresent()) {
      // Every face (the whole image without a detector) through the community's recipe.
      List<Double> ages = new ArrayList<>();
      for (AgeMap t : targets) {
        ages.add(t.constantAge().orElseThrow());
      }
      return reager.reageFaces(img, faces, from, ages);
    }
    if (reager.pipeline().isEmpty()) {
      List<BufferedImage> outs = new ArrayList<>();
      for (AgeMap t : targets) {
        outs.add(reager.reage(img, AgeMap.constant(from), t));
      }
      return outs;
    }
    return reager.pipeline().get().sweep(reager.generator(), img, faces, AgeMap.constant(from), targets);
  }

  private List<AgeMap> targetMaps(List<String> targets, BufferedImage img) throws IOException {
    if (ageMap != null) {
      AgeMap m = AgeMap.fromGrey(Photos.read(ageMap, maxPixels, lenient));
      return List.of(m);
    }
    List<AgeMap> out = new ArrayList<>();
    for (String t : targets) {
      try {
        out.add(AgeMap.constant(AgeMap.checkAge(Double.parseDouble(t.trim()), "--to")));
      } catch (NumberFormatException e) {
        throw new ParameterException(spec.commandLine(), "--to '" + t + "' is not an age in years");
      }
    }
    return out;
  }

  private void write(BufferedImage in, List<BufferedImage> outs, List<String> targets, Path out,
      String name, boolean intoFolder) throws IOException {
    if (grid) {
      BufferedImage g = new BufferedImage(in.getWidth() * (outs.size() + 1), in.getHeight(),
          BufferedImage.TYPE_INT_RGB);
      Graphics2D gr = g.createGraphics();
      gr.drawImage(in, 0, 0, null);
      for (int i = 0; i < outs.size(); i++) {
        gr.drawImage(outs.get(i), in.getWidth() * (i + 1), 0, null);
      }
      gr.dispose();
      Photos.write(g, intoFolder || Files.isDirectory(out) ? out.resolve(stem(name) + "_grid.png") : out);
      return;
    }
    if (outs.size() == 1 && !intoFolder) {
      Photos.write(outs.get(0), out);
      return;
    }
    // Several results (a sweep) or a folder of frames: out is a folder.
    Path dir = out;
    Files.createDirectories(dir);
    for (int i = 0; i < outs.size(); i++) {
      String suffix = targets.get(i).isEmpty() ? "" : "_age" + targets.get(i).trim();
      Photos.write(outs.get(i), dir.resolve(stem(name) + suffix + "." + ext(name)));
    }
  }

  private static ProgressBar bar(String task, int n) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(n)
        .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
  }

  private static boolean isImage(Path p) {
    return Files.isRegularFile(p) && IMAGE_EXTENSIONS.contains(ext(p.getFileName().toString()));
  }

  private static String ext(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "png" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String stem(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? name : name.substring(0, dot);
  }
}
