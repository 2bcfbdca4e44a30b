package io.github.fran4j.onnx.export;

import static com.google.common.base.Preconditions.checkArgument;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.github.fran4j.core.model.Provenance;
import io.github.fran4j.onnx.format.OnnxModelFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A thin, append-only builder of an ONNX graph: initializers, nodes with attributes and unique
 * value names. Only what the exporter and the quantizer need; not a general ONNX library.
 * Not thread-safe.
 */
final class OnnxGraph {
  /** The opset this package writes: {@link OnnxModelFormat#OPSET}. */
  static final int OPSET = OnnxModelFormat.OPSET;
  /** The IR version that goes with it: {@link OnnxModelFormat#IR_VERSION}. */
  static final long IR_VERSION = OnnxModelFormat.IR_VERSION;

  private final OnnxMl.GraphProto.Builder graph;
  private final Map<String, Integer> counters = new HashMap<>();

  OnnxGraph(String name) {
    graph = OnnxMl.GraphProto.newBuilder().setName(name);
  }

  OnnxGraph(OnnxMl.GraphProto.Builder existing) {
    graph = existing;
  }

  OnnxMl.GraphProto.Builder proto() {
    return graph;
  }

  /** Returns a fresh value name starting with {@code base}. */
  String fresh(String base) {
    int n = counters.merge(base, 1, Integer::sum);
    return n == 1 ? base : base + "_" + n;
  }

  /** Adds a float32 graph input or output with symbolic and fixed dimensions (String or Integer). */
  static OnnxMl.ValueInfoProto floatValue(String name, Object... dims) {
    OnnxMl.TensorShapeProto.Builder shape = OnnxMl.TensorShapeProto.newBuilder();
    for (Object d : dims) {
      OnnxMl.TensorShapeProto.Dimension.Builder db = OnnxMl.TensorShapeProto.Dimension.newBuilder();
      if (d instanceof Integer) {
        db.setDimValue((Integer) d);
      } else {
        db.setDimParam((String) d);
      }
      shape.addDim(db);
    }
    OnnxMl.TypeProto.Tensor.Builder t =
        OnnxMl.TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber());
    if (dims.length > 0) {
      t.setShape(shape);
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(OnnxMl.TypeProto.newBuilder().setTensorType(t))
        .build();
  }

  /** Adds a float32 initializer and returns its name. */
  String floats(String base, float[] values, long... shape) {
    checkArgument(numel(shape) == values.length, "shape/value mismatch for %s", base);
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return raw(base, TensorProto.DataType.FLOAT, b.array(), shape);
  }

  /** Adds an int64 initializer and returns its name. */
  String longs(String base, long[] values, long... shape) {
    checkArgument(numel(shape) == values.length, "shape/value mismatch for %s", base);
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    return raw(base, TensorProto.DataType.INT64, b.array(), shape);
  }

  /** Adds an int32 initializer and returns its name. */
  String ints(String base, int[] values, long... shape) {
    checkArgument(numel(shape) == values.length, "shape/value mismatch for %s", base);
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asIntBuffer().put(values);
    return raw(base, TensorProto.DataType.INT32, b.array(), shape);
  }

  /** Adds an int8 initializer and returns its name. */
  String int8s(String base, byte[] values, long... shape) {
    checkArgument(numel(shape) == values.length, "shape/value mismatch for %s", base);
    return raw(base, TensorProto.DataType.INT8, values.clone(), shape);
  }

  /** Adds a uint8 initializer and returns its name. */
  String uint8s(String base, byte[] values, long... shape) {
    checkArgument(numel(shape) == values.length, "shape/value mismatch for %s", base);
    return raw(base, TensorProto.DataType.UINT8, values.clone(), shape);
  }

  private String raw(String base, TensorProto.DataType type, byte[] bytes, long[] shape) {
    String name = fresh(base);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(type.getNumber());
    for (long d : shape) {
      t.addDims(d);
    }
    t.setRawData(ByteString.copyFrom(bytes));
    graph.addInitializer(t);
    return name;
  }

  /** A float attribute. */
  static AttributeProto floatAttr(String name, float value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.FLOAT)
        .setF(value)
        .build();
  }

  /**
   * Adds a node with one output and returns the output's name.
   *
   * @param op the operator type
   * @param outBase the output name's base
   * @param inputs input value names ({@code ""} for an omitted optional input)
   * @param attrs attributes, already built
   */
  String node(String op, String outBase, List<String> inputs, AttributeProto... attrs) {
    String out = fresh(outBase);
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(out + "/" + op).addOutput(out);
    n.addAllInput(inputs);
    for (AttributeProto a : attrs) {
      n.addAttribute(a);
    }
    graph.addNode(n);
    return out;
  }

  static AttributeProto ints(String name, long... values) {
    AttributeProto.Builder a =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      a.addInts(v);
    }
    return a.build();
  }

  static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  static AttributeProto string(String name, String value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFromUtf8(value))
        .build();
  }

  /** Wraps the graph into a model with the given metadata. */
  OnnxMl.ModelProto model(Map<String, String> metadata, String docString) {
    OnnxMl.ModelProto.Builder m =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("fran4j")
            .setProducerVersion(producerVersion())
            .setDocString(docString)
            .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setGraph(graph);
    metadata.forEach(
        (k, v) -> m.addMetadataProps(OnnxMl.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  private static String producerVersion() {
    return Provenance.currentSdkVersion();
  }

  /** Returns a float32 initializer's values (raw little-endian data or the float_data field). */
  static float[] floatData(TensorProto t) {
    checkArgument(t.getDataType() == TensorProto.DataType.FLOAT.getNumber(),
        "initializer %s is not float", t.getName());
    if (!t.getRawData().isEmpty()) {
      FloatBuffer fb = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer();
      float[] v = new float[fb.remaining()];
      fb.get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }

  private static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }
}
