package io.github.fran4j.examples.cli;

import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.weights.StateDict;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Times fran-training's DJL U-Net in eval mode when it is on the class path. Reached through
 * reflection so that {@code fran bench} builds and runs without fran-training's DJL model (it then
 * says the comparison was skipped). Not thread-safe.
 */
final class DjlBench {
  private DjlBench() {}

  /** Returns whether the DJL U-Net class and DJL itself can be loaded. */
  static boolean available() {
    try {
      Class.forName(BenchCommand.DJL_UNET_CLASS);
      Class.forName("ai.djl.ndarray.NDManager");
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Returns a line saying whether DJL figures are included. */
  static String describeAvailability() {
    return available()
        ? "DJL: " + BenchCommand.DJL_UNET_CLASS + " found; rows 'djl eval' above"
        : "DJL: skipped, fran-training's DJL U-Net (" + BenchCommand.DJL_UNET_CLASS
            + ") is not on the class path of this build";
  }

  /**
   * Returns sorted per-run seconds of an eval-mode forward at {@code size}.
   *
   * @throws ReflectiveOperationException if the DJL API or the U-Net differ from what is expected
   */
  static double[] time(UNetConfig cfg, StateDict weights, float[] input, int size, int warmup,
      int runs) throws ReflectiveOperationException {
    Class<?> mgrC = Class.forName("ai.djl.ndarray.NDManager");
    Class<?> dtC = Class.forName("ai.djl.ndarray.types.DataType");
    Class<?> shapeC = Class.forName("ai.djl.ndarray.types.Shape");
    Class<?> blockC = Class.forName("ai.djl.nn.Block");
    Class<?> psC = Class.forName("ai.djl.training.ParameterStore");
    Class<?> listC = Class.forName("ai.djl.ndarray.NDList");
    Class<?> arrC = Class.forName("ai.djl.ndarray.NDArray");
    Class<?> netC = Class.forName(BenchCommand.DJL_UNET_CLASS);
    AutoCloseable mgr = (AutoCloseable) mgrC.getMethod("newBaseManager").invoke(null);
    try {
      Object net = netC.getConstructor(UNetConfig.class).newInstance(cfg);
      Object shape = shapeC.getConstructor(long[].class).newInstance(
          (Object) new long[] {1, cfg.inChannels(), size, size});
      Object shapes = Array.newInstance(shapeC, 1);
      Array.set(shapes, 0, shape);
      blockC.getMethod("initialize", mgrC, dtC, shapes.getClass())
          .invoke(net, mgr, dtC.getField("FLOAT32").get(null), shapes);
      netC.getMethod("loadStateDict", StateDict.class).invoke(net, weights);
      Object x = mgrC.getMethod("create", float[].class, shapeC).invoke(mgr, input, shape);
      Object arrs = Array.newInstance(arrC, 1);
      Array.set(arrs, 0, x);
      Object list = listC.getConstructor(arrs.getClass()).newInstance(arrs);
      Object ps = psC.getConstructor(mgrC, boolean.class).newInstance(mgr, false);
      Method forward = blockC.getMethod("forward", psC, listC, boolean.class);
      Method get = listC.getMethod("get", int.class);
      Method toFloats = arrC.getMethod("toFloatArray");
      Method newSub = mgrC.getMethod("newSubManager");
      Method tempAttach = arrC.getMethod("tempAttach", mgrC);
      double[] t = new double[runs];
      for (int i = -warmup; i < runs; i++) {
        // Every intermediate array lands in the input's manager: a per-run sub-manager frees them
        // after the run (in the base manager they piled up until OOM at 1024x1024).
        try (AutoCloseable sub = (AutoCloseable) newSub.invoke(mgr)) {
          tempAttach.invoke(x, sub);
          long t0 = System.nanoTime();
          Object out = forward.invoke(net, ps, list, false);
          toFloats.invoke(get.invoke(out, 0));
          if (i >= 0) {
            t[i] = (System.nanoTime() - t0) / 1e9;
          }
        } catch (ReflectiveOperationException | RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("closing DJL's per-run manager failed", e);
        }
      }
      Arrays.sort(t);
      return t;
    } finally {
      try {
        mgr.close();
      } catch (Exception e) {
        // closing the manager frees native memory; nothing to report if it complains
      }
    }
  }
}
