package io.github.fran4j.onnx.format;

import io.github.fran4j.core.image.GeneratorInput;
import io.github.fran4j.core.model.UNetConfig;

/**
 * The contract of the ONNX files FRAN for Java writes: input and output names and the metadata
 * keys stored in the model's {@code metadata_props}. See {@code docs/model-format.md}.
 *
 * <p>Version history: 1 = first version (input {@code input} [N,5,H,W], output {@code delta}
 * [N,3,H,W], opset 17, BatchNorm folded, any H and W).
 */
public final class OnnxModelFormat {
  /** The ONNX operator set every graph FRAN for Java writes imports (the default domain). */
  public static final int OPSET = 17;
  /** The ONNX IR version every model FRAN for Java writes declares (the one that goes with opset 17). */
  public static final long IR_VERSION = 8;
  /** The metadata key holding {@link #FORMAT_VERSION} as a decimal string. */
  public static final String FORMAT_VERSION_KEY = "fran.format_version";
  /** The format version this release writes and the only one it reads. */
  public static final int FORMAT_VERSION = 1;
  /** The metadata key holding the square training resolution, e.g. {@code 256}. */
  public static final String TRAINING_RESOLUTION_KEY = "fran.training_resolution";
  /**
   * The metadata key holding the model's {@link UNetConfig} as JSON: the same key as in weight
   * files ({@link UNetConfig#METADATA_KEY}), so an export carries it over unchanged.
   */
  public static final String UNET_CONFIG_KEY = UNetConfig.METADATA_KEY;
  /** The metadata key holding the divisor that turns an age in years into an input plane value. */
  public static final String AGE_SCALE_KEY = "fran.age_scale";
  /** Ages are encoded as {@code age / AGE_SCALE}: {@link GeneratorInput#AGE_SCALE}, as an int. */
  public static final int AGE_SCALE = (int) GeneratorInput.AGE_SCALE;
  /** The metadata key stating the precision: {@code fp32}, {@code fp16} or {@code int8-qdq}. */
  public static final String PRECISION_KEY = "fran.precision";
  /** int8 and calibrated fp16 models: the metadata key holding the number of calibration inputs. */
  public static final String CALIBRATION_INPUTS_KEY = "fran.calibration_inputs";
  /**
   * int8 and fp16 models: the metadata key listing the activations left in float32 (for fp16, the
   * layers computing them), comma-separated.
   */
  public static final String FLOAT_ACTIVATIONS_KEY = "fran.float_activations";
  /** The name of the input tensor, float32 {@code [N, 5, H, W]}. */
  public static final String INPUT_NAME = "input";
  /** The name of the output tensor, float32 {@code [N, 3, H, W]}. */
  public static final String OUTPUT_NAME = "delta";

  private OnnxModelFormat() {}
}
