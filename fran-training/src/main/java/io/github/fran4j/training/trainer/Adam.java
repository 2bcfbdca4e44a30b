package io.github.fran4j.training.trainer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.common.collect.ImmutableMap;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import io.github.fran4j.training.model.NativeArrays;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam exactly as PyTorch's {@code torch.optim.Adam} (betas 0.9 / 0.999, eps 1e-8, no weight
 * decay, no amsgrad), over named DJL parameters. Written here rather than using DJL's {@code Adam}
 * because its moment estimates cannot be saved, and exact resume needs them.
 *
 * <p>Update, with step t counted from 1: {@code m = b1 m + (1 - b1) g}, {@code v = b2 v + (1 - b2)
 * g^2}, {@code w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)}; then the gradients
 * are zeroed (DJL's gradient collector does not). Parameters without a gradient this step (frozen)
 * are skipped. Holds native memory: close it. Not thread-safe.
 */
public final class Adam implements AutoCloseable {
  private static final float BETA1 = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  private final ImmutableMap<String, Parameter> params;
  private final NDManager manager;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long step;
  private boolean closed;

  /**
   * Creates the optimizer; moment arrays are created lazily on the first step.
   *
   * @param params trainable parameters by name (parameters that never require a gradient, such as
   *     BatchNorm running statistics, are ignored)
   * @param parent the manager whose child will own the moment arrays
   */
  public Adam(Map<String, Parameter> params, NDManager parent) {
    checkNotNull(params, "params");
    ImmutableMap.Builder<String, Parameter> b = ImmutableMap.builder();
    params.forEach(
        (n, p) -> {
          if (p.getType() != Parameter.Type.RUNNING_MEAN
              && p.getType() != Parameter.Type.RUNNING_VAR) {
            b.put(n, p);
          }
        });
    this.params = b.build();
    this.manager = checkNotNull(parent, "parent").newSubManager();
  }

  /** {@return the number of steps taken} */
  public long stepCount() {
    return step;
  }

  /**
   * Applies one update with the given learning rate and zeroes the gradients.
   *
   * @param lr the learning rate, positive
   */
  public void step(double lr) {
    checkState(!closed, "step() called on a closed Adam");
    checkArgument(lr > 0 && Double.isFinite(lr), "learning rate must be positive, got %s", lr);
    step++;
    double bc1 = 1.0 - Math.pow(BETA1, step);
    double bc2 = 1.0 - Math.pow(BETA2, step);
    float stepSize = (float) (lr / bc1);
    float sqrtBc2 = (float) Math.sqrt(bc2);
    try (NDManager scalars = manager.newSubManager()) {
      // The scalar operands as 0-d float32 arrays, made once per step. NDArray.mul(Number) and
      // friends build the same 0-d array per call through a fresh direct ByteBuffer that only a
      // garbage collection frees: hundreds per step, scattered through the native heap.
      NDArray b1 = scalar(scalars, BETA1);
      NDArray oneMinusB1 = scalar(scalars, 1f - BETA1);
      NDArray b2 = scalar(scalars, BETA2);
      NDArray oneMinusB2 = scalar(scalars, 1f - BETA2);
      NDArray eps = scalar(scalars, EPS);
      NDArray sqrtBc2Array = scalar(scalars, sqrtBc2);
      NDArray stepSizeArray = scalar(scalars, stepSize);
      for (Map.Entry<String, Parameter> e : params.entrySet()) {
        NDArray w = e.getValue().getArray();
        if (!w.hasGradient()) {
          continue;
        }
        NDArray g = w.getGradient();
        try (NDManager tmp = manager.newSubManager()) {
          NDArray mm = m.computeIfAbsent(e.getKey(), k -> manager.zeros(w.getShape()));
          NDArray vv = v.computeIfAbsent(e.getKey(), k -> manager.zeros(w.getShape()));
          // Results attach to their first operand's manager: borrow every operand into tmp so the
          // temporaries die with it (they return to their owners when tmp closes). The gradient
          // handle is a fresh wrapper per call, so it is closed with tmp (its storage stays).
          w.tempAttach(tmp);
          g.attach(tmp);
          mm.tempAttach(tmp);
          vv.tempAttach(tmp);
          mm.muli(b1).addi(g.mul(oneMinusB1));
          vv.muli(b2).addi(g.square().muli(oneMinusB2));
          NDArray denom = vv.sqrt().divi(sqrtBc2Array).addi(eps);
          w.subi(mm.div(denom).muli(stepSizeArray));
          g.subi(g); // zero in place: the gradient buffer stays attached to the parameter
        }
      }
    }
  }

  private static NDArray scalar(NDManager m, float value) {
    return NativeArrays.create(m, new float[] {value}, new Shape());
  }

  /**
   * Returns the optimizer state: {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} tensors and the
   * step count in the metadata under {@code step}.
   *
   * @return the state
   */
  public StateDict state() {
    StateDict.Builder b = StateDict.builder();
    for (String n : params.keySet()) {
      if (m.containsKey(n)) {
        b.put("exp_avg." + n, toTensor(m.get(n)));
        b.put("exp_avg_sq." + n, toTensor(v.get(n)));
      }
    }
    b.putMetadata("step", Long.toString(step));
    b.putMetadata("betas", BETA1 + "," + BETA2);
    b.putMetadata("eps", Float.toString(EPS));
    return b.build();
  }

  /**
   * Restores state written by {@link #state()}.
   *
   * @param state the state
   * @throws ModelFormatException if a tensor names an unknown parameter or has the wrong shape
   */
  public void load(StateDict state) throws ModelFormatException {
    checkState(!closed, "load() called on a closed Adam");
    String s = state.metadata().get("step");
    if (s == null) {
      throw new ModelFormatException("optimizer state lacks the 'step' metadata");
    }
    for (String name : state.names()) {
      String param = name.startsWith("exp_avg_sq.")
          ? name.substring("exp_avg_sq.".length())
          : name.startsWith("exp_avg.") ? name.substring("exp_avg.".length()) : null;
      Parameter p = param == null ? null : params.get(param);
      if (p == null) {
        throw new ModelFormatException(
            "optimizer state holds " + name + ", which matches no trainable parameter");
      }
      Tensor t = state.get(name);
      long[] shape = Arrays.stream(t.shape()).mapToLong(d -> d).toArray();
      if (!Arrays.equals(shape, p.getArray().getShape().getShape())) {
        throw new ModelFormatException("optimizer state " + name + " has shape "
            + Arrays.toString(shape) + ", expected " + p.getArray().getShape());
      }
      NDArray a = manager.create(t.toFloatArray(), p.getArray().getShape());
      NDArray old = (name.startsWith("exp_avg_sq.") ? v : m).put(param, a);
      if (old != null) {
        old.close();
      }
    }
    try {
      step = Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new ModelFormatException("optimizer step '" + s + "' is not an integer", e);
    }
  }

  private static Tensor toTensor(NDArray a) {
    int[] shape = Arrays.stream(a.getShape().getShape()).mapToInt(d -> (int) d).toArray();
    return Tensor.ofFloats(a.toFloatArray(), shape);
  }

  /** Releases the moment arrays; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }
}
