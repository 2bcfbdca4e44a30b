package io.github.fran4j.examples.cli;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.InvalidProtocolBufferException;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.core.weights.WeightFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code fran inspect FILE}: prints what a model file holds without running it.
 *
 * <p>For weights ({@code .pth}/{@code .pt} from {@code torch.save}, {@code .safetensors}): the
 * format, the inferred {@link UNetConfig} (or why the tensors are not a FRAN U-Net), the metadata
 * (for a checkpoint dict: {@code pth.epoch} and the other scalar entries), and every tensor's name,
 * dtype and shape. For {@code .onnx}: IR version, producer, opsets, the graph's inputs and outputs
 * with their (symbolic) shapes, the metadata (including FRAN's config when the file states it) and
 * the initializers; nothing is executed. Exit status 0 on success, 1 if the file cannot be read.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Print the config, tensors and metadata of a .pth, .safetensors or .onnx file.")
public final class InspectCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "the model file")
  private Path file;

  @Option(
      names = "--no-tensors",
      negatable = false,
      description = "omit the per-tensor listing")
  private boolean noTensors;

  /** Creates the command (picocli instantiates it). */
  public InspectCommand() {}

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (!Files.isRegularFile(file)) {
        err.println("fran inspect: no file at " + file.toAbsolutePath());
        return 1;
      }
      WeightFiles.Format format = WeightFiles.detect(file);
      if (format == WeightFiles.Format.ONNX) {
        inspectOnnx(out);
      } else {
        inspectWeights(out, format);
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      out.flush();
      err.println("fran inspect: " + e.getMessage());
      return 1;
    }
  }

  private void inspectWeights(PrintWriter out, WeightFiles.Format format) throws IOException {
    StateDict sd = WeightFiles.read(file);
    out.println("file:       " + file);
    out.println("format:     " + (format == WeightFiles.Format.PTH ? "torch.save (zip)" : "safetensors"));
    try {
      UNetConfig config = UNetConfig.fromStateDict(sd, file.toString());
      out.println("family:     " + config.family().id());
      out.println("width:      " + config.baseWidth());
      out.println("config:     " + config.toJson());
      out.println("parameters: " + config.weightLayout().trainableParameterCount() + " trainable");
    } catch (ModelFormatException e) {
      out.println("config:     not a FRAN U-Net (" + e.getMessage() + ")");
    }
    out.println("tensors:    " + sd.size() + " (" + sd.parameterCount() + " elements)");
    printProvenance(out, sd.metadata());
    if (!sd.metadata().isEmpty()) {
      out.println("metadata:");
      for (Map.Entry<String, String> e : sd.metadata().entrySet()) {
        out.println("  " + e.getKey() + " = " + e.getValue());
      }
    }
    if (!noTensors) {
      out.println("tensor list (name, dtype, shape):");
      int width = 0;
      for (String name : sd.names()) {
        width = Math.max(width, name.length());
      }
      for (Map.Entry<String, Tensor> e : sd.tensors().entrySet()) {
        Tensor t = e.getValue();
        out.printf("  %-" + width + "s  %-4s %s%n", e.getKey(), t.dtype(), Arrays.toString(t.shape()));
      }
    }
  }

  private void inspectOnnx(PrintWriter out) throws IOException {
    OnnxMl.ModelProto m;
    try (InputStream in = Files.newInputStream(file)) {
      m = OnnxMl.ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelFormatException(
          file + ": not a valid ONNX model (truncated or not protobuf): " + e.getMessage(), e);
    }
    if (!m.hasGraph()) {
      throw new ModelFormatException(file + ": not an ONNX model (no graph)");
    }
    OnnxMl.GraphProto g = m.getGraph();
    out.println("file:       " + file);
    out.println("format:     onnx (IR version " + m.getIrVersion() + ")");
    out.println("producer:   " + m.getProducerName() + " " + m.getProducerVersion());
    List<String> opsets = new ArrayList<>();
    for (OnnxMl.OperatorSetIdProto o : m.getOpsetImportList()) {
      opsets.add((o.getDomain().isEmpty() ? "ai.onnx" : o.getDomain()) + ":" + o.getVersion());
    }
    out.println("opsets:     " + opsets);
    String config = null;
    for (OnnxMl.StringStringEntryProto p : m.getMetadataPropsList()) {
      if (p.getKey().equals(UNetConfig.METADATA_KEY)) {
        config = p.getValue();
      }
    }
    out.println("config:     " + (config != null ? config
        : "not stated (a foreign export; the runtime checks only the input/output contract)"));
    for (OnnxMl.ValueInfoProto v : g.getInputList()) {
      out.println("input:      " + describe(v));
    }
    for (OnnxMl.ValueInfoProto v : g.getOutputList()) {
      out.println("output:     " + describe(v));
    }
    out.println("nodes:      " + g.getNodeCount());
    long elements = 0;
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      long n = 1;
      for (long d : t.getDimsList()) {
        n *= d;
      }
      elements += n;
    }
    out.println("tensors:    " + g.getInitializerCount() + " initializers (" + elements + " elements)");
    Map<String, String> meta = new LinkedHashMap<>();
    m.getMetadataPropsList().forEach(p -> meta.put(p.getKey(), p.getValue()));
    printProvenance(out, meta);
    if (m.getMetadataPropsCount() > 0) {
      out.println("metadata:");
      for (OnnxMl.StringStringEntryProto p : m.getMetadataPropsList()) {
        out.println("  " + p.getKey() + " = " + p.getValue());
      }
    }
    if (!noTensors) {
      out.println("initializer list (name, dtype, shape):");
      for (OnnxMl.TensorProto t : g.getInitializerList()) {
        out.println("  " + t.getName() + "  " + dataType(t.getDataType()) + " " + t.getDimsList());
      }
    }
  }

  /** Prints where the model came from, or says there is no record (foreign or older files). */
  private void printProvenance(PrintWriter out, Map<String, String> metadata) {
    Optional<Provenance> p = Provenance.fromMetadata(metadata, file.toString());
    if (p.isEmpty()) {
      out.println("provenance: no provenance (not trained by FRAN for Java, or before it was"
          + " recorded)");
      return;
    }
    Provenance v = p.get();
    out.println("provenance:");
    out.println("  family:          " + v.family().id());
    out.println("  sdk version:     " + v.sdkVersion());
    out.println("  seed:            " + v.seed());
    out.println("  dataset:         " + v.datasetFingerprint());
    out.println("  hyperparameters: " + v.hyperparameters());
  }

  private static String describe(OnnxMl.ValueInfoProto v) {
    StringBuilder sb = new StringBuilder(v.getName());
    if (v.getType().hasTensorType()) {
      OnnxMl.TypeProto.Tensor t = v.getType().getTensorType();
      sb.append("  ").append(dataType(t.getElemType())).append(" [");
      List<OnnxMl.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
      for (int i = 0; i < dims.size(); i++) {
        OnnxMl.TensorShapeProto.Dimension d = dims.get(i);
        sb.append(i > 0 ? ", " : "")
            .append(d.hasDimValue() ? String.valueOf(d.getDimValue())
                : d.hasDimParam() ? d.getDimParam() : "?");
      }
      sb.append(']');
    }
    return sb.toString();
  }

  private static String dataType(int code) {
    OnnxMl.TensorProto.DataType t = OnnxMl.TensorProto.DataType.forNumber(code);
    return t == null ? "type" + code : t.name();
  }
}
