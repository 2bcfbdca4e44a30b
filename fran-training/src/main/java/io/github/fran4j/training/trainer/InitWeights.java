package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkNotNull;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetFamily;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import io.github.fran4j.training.model.CommunityPatchGan;
import io.github.fran4j.training.model.DiscriminatorBlock;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Pretrained weights a fine-tuning run starts from ({@code fran train --init-generator G
 * [--init-discriminator D]}): the generator's state dict and its {@link UNetConfig} (whose family,
 * reference or community, decides the discriminator and the losses), and optionally a
 * discriminator of the same family. Reads {@code .safetensors} and plain {@code torch.save}
 * files. Immutable and thread-safe.
 */
public final class InitWeights {
  private final Path generatorFile;
  private final StateDict generator;
  private final UNetConfig config;
  private final Path discriminatorFile;
  private final StateDict discriminator;

  private InitWeights(Path generatorFile, StateDict generator, UNetConfig config,
      Path discriminatorFile, StateDict discriminator) {
    this.generatorFile = generatorFile;
    this.generator = generator;
    this.config = config;
    this.discriminatorFile = discriminatorFile;
    this.discriminator = discriminator;
  }

  /**
   * Reads and checks the init files.
   *
   * @param generatorFile the generator's weights ({@code --init-generator})
   * @param discriminatorFile the discriminator's weights ({@code --init-discriminator}), or null
   * @param family the family the user asked for ({@code --family}), or null to take the file's
   * @return the weights
   * @throws IllegalArgumentException if {@code family} is not the generator file's family (the
   *     message names both)
   * @throws ModelFormatException if a file is not a FRAN generator (every missing, misshaped or
   *     unexpected tensor named) or not a PatchGAN discriminator (the tensor that does not fit
   *     named), or the two files are of different families (both files and both families named)
   * @throws IOException if a file cannot be read (named)
   */
  public static InitWeights read(Path generatorFile, Path discriminatorFile, UNetFamily family)
      throws IOException {
    checkNotNull(generatorFile, "generatorFile");
    StateDict g = readFile(generatorFile, "--init-generator");
    UNetConfig config;
    try {
      config = UNetConfig.fromStateDict(g);
    } catch (ModelFormatException e) {
      throw new ModelFormatException("--init-generator " + generatorFile
          + " is not a FRAN generator: " + e.getMessage(), e);
    }
    if (family != null && family != config.family()) {
      throw new IllegalArgumentException("--family " + family.id() + " conflicts with "
          + "--init-generator " + generatorFile + ", which holds a " + config.family().id()
          + "-family generator; drop --family or give a " + family.id() + " generator");
    }
    StateDict d = null;
    if (discriminatorFile != null) {
      d = readFile(discriminatorFile, "--init-discriminator");
      UNetFamily dFamily;
      try {
        dFamily = discriminatorFamily(d);
      } catch (ModelFormatException e) {
        throw new ModelFormatException("--init-discriminator " + discriminatorFile + ": "
            + e.getMessage(), e);
      }
      if (dFamily != config.family()) {
        throw new ModelFormatException("family mismatch: --init-generator " + generatorFile
            + " holds a " + config.family().id() + "-family generator but --init-discriminator "
            + discriminatorFile + " holds a " + dFamily.id() + "-family discriminator; give a "
            + config.family().id() + " discriminator, or none to start one from random weights");
      }
      checkLoads(d, dFamily, discriminatorFile);
    }
    return new InitWeights(generatorFile, g, config, discriminatorFile, d);
  }

  /**
   * Loads the discriminator into its block once, so that a missing, misshaped or unexpected tensor
   * is refused (named) before a run directory is touched.
   */
  private static void checkLoads(StateDict d, UNetFamily family, Path file)
      throws ModelFormatException {
    try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      DiscriminatorBlock block =
          DiscriminatorBlock.create(family, CommunityPatchGan.widthOf(d), false);
      block.initialize(m, DataType.FLOAT32, new Shape(1, 4, 32, 32));
      block.loadStateDict(d);
    } catch (ModelFormatException e) {
      throw new ModelFormatException("--init-discriminator " + file + ": " + e.getMessage(), e);
    }
  }

  private static StateDict readFile(Path file, String option) throws IOException {
    try {
      return WeightFiles.read(file);
    } catch (ModelFormatException e) {
      // WeightFiles' messages mostly start with the file already.
      String m = e.getMessage() == null ? "" : e.getMessage();
      throw new ModelFormatException(option + " " + (m.startsWith(file.toString()) ? m
          : file + ": " + m), e);
    } catch (java.io.FileNotFoundException e) {
      java.io.FileNotFoundException named =
          new java.io.FileNotFoundException(option + " " + file + ": no such file");
      named.initCause(e);
      throw named;
    } catch (IOException e) {
      throw new IOException(option + " " + file + ": cannot read it (" + e.getMessage() + ")", e);
    }
  }

  /**
   * Tells a discriminator's family from its tensors: the community's PatchGAN has BatchNorm
   * ({@code running_mean}) after its second and third convs, the reference's none and five convs.
   *
   * @param weights a discriminator's state dict
   * @return its family
   * @throws ModelFormatException if it looks like neither (the tensors found are listed)
   */
  public static UNetFamily discriminatorFamily(StateDict weights) throws ModelFormatException {
    checkNotNull(weights, "weights");
    int convs = 0;
    boolean batchNorm = false;
    for (String n : weights.names()) {
      Tensor t = weights.get(n);
      if (n.endsWith(".running_mean")) {
        batchNorm = true;
      } else if (n.endsWith(".weight") && t.rank() == 4) {
        convs++;
      }
    }
    if (batchNorm && convs == 4) {
      return UNetFamily.COMMUNITY;
    }
    if (!batchNorm && convs == 5) {
      return UNetFamily.REFERENCE;
    }
    if (weights.names().stream().anyMatch(n -> n.startsWith("init_conv.") || n.startsWith("inc."))) {
      throw new ModelFormatException("holds a generator (U-Net), not a discriminator");
    }
    throw new ModelFormatException("not a PatchGAN discriminator: found " + convs + " 4-d conv "
        + "weights and " + (batchNorm ? "" : "no ") + "BatchNorm, expected 4 convs with BatchNorm "
        + "(community family) or 5 without (reference family); tensors "
        + weights.names().stream().limit(12).toList());
  }

  /** {@return the generator file} */
  public Path generatorFile() {
    return generatorFile;
  }

  /** {@return the generator's weights} */
  public StateDict generator() {
    return generator;
  }

  /** {@return the generator's architecture, read from its weights} */
  public UNetConfig config() {
    return config;
  }

  /** {@return the family of both networks} */
  public UNetFamily family() {
    return config.family();
  }

  /** {@return the discriminator file, if one was given} */
  public Optional<Path> discriminatorFile() {
    return Optional.ofNullable(discriminatorFile);
  }

  /** {@return the discriminator's weights, if a file was given} */
  public Optional<StateDict> discriminator() {
    return Optional.ofNullable(discriminator);
  }

  /**
   * Returns the discriminator's first-layer width: the init file's, else {@code fallback}.
   *
   * @param fallback the width when no discriminator file was given
   * @return the width
   * @throws ModelFormatException if the file holds no 4-d conv weight
   */
  public int discriminatorWidth(int fallback) throws ModelFormatException {
    return discriminator == null ? fallback : CommunityPatchGan.widthOf(discriminator);
  }
}
