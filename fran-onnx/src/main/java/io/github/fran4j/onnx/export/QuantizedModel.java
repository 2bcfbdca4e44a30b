package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The result of {@link Int8Quantizer#quantize} or {@link Fp16Converter#convert}: the
 * reduced-precision model's bytes and what was done to reach them. An immutable value;
 * thread-safe.
 */
public final class QuantizedModel {
  private final String precision;
  private final byte[] bytes;
  private final ImmutableList<String> floatActivations;
  private final int calibrationInputs;
  private final OptionalDouble validationPsnr;
  private final OptionalDouble targetPsnr;

  QuantizedModel(String precision, byte[] bytes, ImmutableList<String> floatActivations, int calibrationInputs,
      OptionalDouble validationPsnr, OptionalDouble targetPsnr) {
    this.precision = checkNotNull(precision, "precision");
    this.bytes = checkNotNull(bytes, "bytes");
    this.floatActivations = checkNotNull(floatActivations, "floatActivations");
    this.calibrationInputs = calibrationInputs;
    this.validationPsnr = checkNotNull(validationPsnr, "validationPsnr");
    this.targetPsnr = checkNotNull(targetPsnr, "targetPsnr");
  }

  /**
   * Returns the precision, as the model's {@link OnnxModelFormat#PRECISION_KEY} metadata states
   * it: {@code int8-qdq} or {@code fp16}.
   *
   * @return the precision name
   */
  public String precision() {
    return precision;
  }

  /**
   * Returns the ONNX model, ready for {@link OnnxExporter#writeAtomically} or
   * {@code OnnxGenerator.open}.
   *
   * @return a fresh copy of the serialized model
   */
  public byte[] bytes() {
    return bytes.clone();
  }

  /**
   * Returns the activations left in float32, by their ONNX tensor names (the PyTorch module names
   * of the ReLUs and layers producing them, e.g. {@code up4.conv.double_conv.5}), in the order
   * they were chosen: those asked for (or, for fp16, out of its range) first, then those the PSNR
   * target added, output side first. For fp16 each names a layer computed in float32.
   *
   * @return the float activations; empty when every eligible activation has the reduced precision
   */
  public ImmutableList<String> floatActivations() {
    return floatActivations;
  }

  /**
   * Returns how many inputs calibrated the activation ranges.
   *
   * @return the calibration input count
   */
  public int calibrationInputs() {
    return calibrationInputs;
  }

  /**
   * Returns the converted-vs-fp32 delta PSNR (peak 1, MSE pooled over all validation inputs) of the
   * returned model, when validation inputs were given.
   *
   * @return the PSNR in dB, or empty
   */
  public OptionalDouble validationPsnr() {
    return validationPsnr;
  }

  /**
   * Returns the PSNR target the quantizer worked towards, when one was set.
   *
   * @return the target in dB, or empty
   */
  public OptionalDouble targetPsnr() {
    return targetPsnr;
  }

  /**
   * Returns whether the validation PSNR reached the target; {@code true} when no target was set.
   *
   * @return whether the target was met
   */
  public boolean targetMet() {
    return targetPsnr.isEmpty()
        || (validationPsnr.isPresent() && validationPsnr.getAsDouble() >= targetPsnr.getAsDouble());
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "%s model (%.1f MB, calibrated on %d inputs", precision, bytes.length / 1e6,
        calibrationInputs));
    validationPsnr.ifPresent(p -> s.append(String.format(Locale.ROOT, ", %.1f dB vs fp32", p)));
    targetPsnr.ifPresent(t -> s.append(String.format(Locale.ROOT, ", target %.1f dB%s", t,
        targetMet() ? "" : " NOT met")));
    s.append(floatActivations.isEmpty() ? ", no float activations)"
        : ", float activations " + floatActivations + ")");
    return s.toString();
  }
}
