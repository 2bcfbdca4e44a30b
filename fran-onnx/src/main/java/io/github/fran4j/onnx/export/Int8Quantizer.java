package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.onnx.proto.OnnxMl;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Static int8 quantization of an fp32 FRAN ONNX model in QDQ form, calibrated on real inputs,
 * optionally keeping the activations that cost the most accuracy in float until a PSNR target is
 * met.
 *
 * <p>Weights of every dense {@code Conv} become per-output-channel symmetric int8, biases int32
 * with scale {@code s_input * s_weight}. Activations become asymmetric uint8 through
 * {@code QuantizeLinear -> DequantizeLinear} pairs, with [min, max] ranges (or a central
 * percentile) observed by running the fp32 graph in ONNX Runtime. ONNX Runtime fuses the pattern
 * into {@code QLinearConv} at optimization level {@code all}. Before quantizing, every 2x2
 * stride-2 {@code ConvTranspose} is rewritten into an equivalent 1x1 {@code Conv} +
 * {@code DepthToSpace}, which ONNX Runtime runs in int8 (it runs a QDQ {@code ConvTranspose} in
 * float). The up-sampling branch of each skip {@code Concat} shares the {@code Concat}'s range,
 * so no value is rounded twice. The output {@code delta} and the fixed blur convolutions stay float.
 *
 * <p>Why float fallback: a trained FRAN generator predicts a small delta as the difference of
 * large full-resolution features, so uint8 steps on the last decoder level's activations can
 * dominate the error (a model trained by {@code fran demo}, on held-out identities: 31.1 dB with
 * everything int8, 49.8 dB with the last level float). With {@link Builder#optTargetPsnr} the
 * quantizer measures the int8-vs-fp32 PSNR on validation inputs and, while it is below the target,
 * leaves the next activation (output side first) in float, so a model is only as slow as its
 * accuracy needs.
 *
 * <pre>{@code
 * QuantizedModel q = Int8Quantizer.builder()
 *     .optValidation(heldOut)
 *     .optTargetPsnr(40)
 *     .build()
 *     .quantize(fp32Bytes, calibration);
 * }</pre>
 *
 * <p>Immutable; thread-safe.
 */
public final class Int8Quantizer {
  private static final Logger LOG = LoggerFactory.getLogger(Int8Quantizer.class);

  /** The {@link OnnxModelFormat#PRECISION_KEY} value of the models this class writes. */
  static final String INT8_QDQ = "int8-qdq";

  /** The default activation range: the plain [min, max] over the calibration values. */
  public static final double DEFAULT_PERCENTILE = 100;

  private final double percentile;
  private final ImmutableSet<String> floatActivations;
  private final ImmutableList<Tensor> validation;
  private final OptionalDouble targetPsnr;

  private Int8Quantizer(Builder b) {
    this.percentile = b.percentile;
    this.floatActivations = ImmutableSet.copyOf(b.floatActivations);
    this.validation = ImmutableList.copyOf(b.validation);
    this.targetPsnr = b.targetPsnr;
  }

  /**
   * Returns a quantizer with the defaults: [min, max] ranges, every eligible activation int8, no
   * validation.
   *
   * @return the quantizer
   */
  public static Int8Quantizer create() {
    return builder().build();
  }

  /**
   * Returns a builder.
   *
   * @return a new builder with the defaults
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Quantizes a model.
   *
   * @param fp32Model an fp32 model written by {@link OnnxExporter}
   * @param calibration representative inputs, e.g. from {@link CalibrationImages#load}
   * @return the int8 QDQ model (metadata {@link OnnxModelFormat#PRECISION_KEY} {@code int8-qdq})
   *     with the activations left in float and, given validation inputs, its PSNR
   * @throws ModelFormatException if the bytes are not an ONNX model or ONNX Runtime cannot run it
   * @throws IllegalArgumentException if a requested float activation is not in the model (the
   *     message lists those that are)
   */
  public QuantizedModel quantize(byte[] fp32Model, List<Tensor> calibration)
      throws ModelFormatException {
    checkNotNull(fp32Model, "fp32Model");
    checkNotNull(calibration, "calibration");
    checkArgument(!calibration.isEmpty(), "calibration needs at least one input");
    ModelRuns.checkInputs("calibration", calibration);
    ModelRuns.checkInputs("validation", validation);
    OnnxMl.ModelProto model;
    try {
      model = OnnxMl.ModelProto.parseFrom(fp32Model);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException("not an ONNX model: " + e.getMessage(), e);
    }
    if (model.getGraph().getInputCount() == 0) {
      throw new ModelFormatException("not an fp32 FRAN model: the graph has no input");
    }
    QdqGraph graph = new QdqGraph(StrideTwoUpsampling.rewrite(model));
    Set<String> floats = new LinkedHashSet<>();
    for (String a : floatActivations) {
      ImmutableList<String> unit = graph.units().stream().filter(u -> u.contains(a)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no quantizable activation named '" + a
              + "' in this model; the activations are (output side first) "
              + graph.activations()));
      floats.addAll(unit);
    }
    long t0 = System.nanoTime();
    Map<String, float[]> ranges =
        ActivationRanges.observe(graph.model(), graph.activations(), calibration, percentile);
    LOG.info("int8: observed {} activation ranges on {} calibration inputs in {} s",
        ranges.size(), calibration.size(), ModelRuns.seconds(t0));
    graph.shareRangesWithinUnits(ranges);
    List<float[]> reference =
        validation.isEmpty() ? List.of() : ModelRuns.run(fp32Model, "fp32 model", validation);
    List<ImmutableList<String>> remaining = new ArrayList<>(graph.units());
    remaining.removeIf(u -> floats.containsAll(u));
    return ModelRuns.fallBackToFloat(INT8_QDQ,
        f -> {
          Set<String> int8 = new LinkedHashSet<>(graph.activations());
          int8.removeAll(f);
          return graph.write(ranges, int8, metadata(calibration.size(), f)).toByteArray();
        },
        floats, remaining, validation, reference, targetPsnr, calibration.size());
  }

  /** The metadata an int8 model adds to (or replaces in) the fp32 model's. */
  private static Map<String, String> metadata(int calibrationInputs, Set<String> floats) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(OnnxModelFormat.PRECISION_KEY, INT8_QDQ);
    meta.put(OnnxModelFormat.CALIBRATION_INPUTS_KEY, Integer.toString(calibrationInputs));
    if (!floats.isEmpty()) {
      meta.put(OnnxModelFormat.FLOAT_ACTIVATIONS_KEY, String.join(",", floats));
    }
    return meta;
  }

  /**
   * Returns the peak signal-to-noise ratio in dB between two tensors whose values live on a
   * [0, 1] scale (e.g. two deltas or two re-aged images), with peak 1.
   *
   * @param reference e.g. the fp32 output
   * @param test e.g. the int8 output
   * @return the PSNR, {@code +Infinity} for identical tensors
   */
  public static double psnr(Tensor reference, Tensor test) {
    checkArgument(java.util.Arrays.equals(reference.shape(), test.shape()),
        "shapes differ: %s vs %s", java.util.Arrays.toString(reference.shape()),
        java.util.Arrays.toString(test.shape()));
    return ModelRuns.pooledPsnr(List.of(reference.toFloatArray()), List.of(test.toFloatArray()));
  }

  /** Builds an {@link Int8Quantizer}; not thread-safe. */
  public static final class Builder {
    private double percentile = DEFAULT_PERCENTILE;
    private final Set<String> floatActivations = new LinkedHashSet<>();
    private final List<Tensor> validation = new ArrayList<>();
    private OptionalDouble targetPsnr = OptionalDouble.empty();

    private Builder() {}

    /**
     * Clips each activation range to the central {@code percentile} % of a sample of the
     * calibration values instead of their [min, max]. Clipping rare extremes gives finer steps to
     * the rest, but a trained generator's largest activations carry detail (wrinkles); on the
     * {@code fran demo} model 99.99 lost 2-8 dB on the worst held-out images.
     *
     * @param percentile in (50, 100]; 100 (the default) uses the plain [min, max]
     * @return this builder
     */
    public Builder optPercentile(double percentile) {
      checkArgument(percentile > 50 && percentile <= 100,
          "percentile must be in (50, 100], got %s", percentile);
      this.percentile = percentile;
      return this;
    }

    /**
     * Leaves these activations in float (and the convolutions reading them with float weights).
     * Names are ONNX tensor names, e.g. {@code up4.conv.double_conv.5}; an activation tied to a
     * skip {@code Concat} brings its whole up-sampling branch along.
     *
     * @param names activation names; unknown ones fail {@link #quantize} with the list of names
     * @return this builder
     */
    public Builder optFloatActivations(Collection<String> names) {
      checkNotNull(names, "names").forEach(n -> floatActivations.add(checkNotNull(n, "name")));
      return this;
    }

    /**
     * Measures the int8-vs-fp32 PSNR on these inputs (which should not be calibration inputs).
     *
     * @param inputs held-out generator inputs, {@code [1, 5, H, W]} each
     * @return this builder
     */
    public Builder optValidation(List<Tensor> inputs) {
      checkNotNull(inputs, "inputs").forEach(t -> validation.add(checkNotNull(t, "input")));
      return this;
    }

    /**
     * Keeps activations in float, output side first, until the validation PSNR (delta, peak 1,
     * pooled MSE) reaches {@code db}. Needs {@link #optValidation}. Each step builds and runs one
     * more ONNX Runtime session, so a step costs about one session creation plus the validation
     * runs.
     *
     * @param db the target in dB, e.g. 40
     * @return this builder
     */
    public Builder optTargetPsnr(double db) {
      checkArgument(db > 0 && Double.isFinite(db), "target PSNR must be positive, got %s", db);
      this.targetPsnr = OptionalDouble.of(db);
      return this;
    }

    /**
     * Builds the quantizer.
     *
     * @return the quantizer
     * @throws IllegalStateException if a PSNR target was set without validation inputs
     */
    public Int8Quantizer build() {
      checkState(targetPsnr.isEmpty() || !validation.isEmpty(),
          "a PSNR target needs validation inputs (optValidation)");
      return new Int8Quantizer(this);
    }
  }
}
