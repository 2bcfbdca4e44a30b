package io.github.fran4j.core.weights.pth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.fran4j.core.ModelFormatException;
import io.github.fran4j.core.model.UNetConfig;
import io.github.fran4j.core.model.UNetLayout;
import io.github.fran4j.core.model.Upsampling;
import io.github.fran4j.core.tensor.DType;
import io.github.fran4j.core.tensor.Tensor;
import io.github.fran4j.core.weights.StateDict;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PthReaderTest {
  @TempDir Path tmp;


  @ParameterizedTest(name = "{0}")
  @MethodSource("io.github.fran4j.core.weights.pth.InteropFixtures#models")
  void readsEveryPytorchFixtureWithTheInferredConfig(JsonObject m) throws Exception {
    StateDict sd = PthReader.read(InteropFixtures.file(m.get("file").getAsString()));
    UNetConfig config = UNetConfig.fromStateDict(sd);
    assertThat(config.baseWidth()).isEqualTo(m.get("width").getAsInt());
    assertThat(config.depth()).isEqualTo(m.get("depth").getAsInt());
    assertThat(config.upsampling())
        .isEqualTo(Upsampling.valueOf(m.get("upsampling").getAsString().toUpperCase(Locale.ROOT)));
    // PyTorch's state_dict() order is the layout's order.
    assertThat(List.copyOf(sd.names()))
        .containsExactlyElementsOf(
            config.layout().parameters().stream().map(UNetLayout.Parameter::name).toList());
    DType floats = DType.valueOf(m.get("dtype").getAsString());
    for (Map.Entry<String, Tensor> e : sd.tensors().entrySet()) {
      assertThat(e.getValue().dtype())
          .as(e.getKey())
          .isEqualTo(e.getKey().endsWith("num_batches_tracked") ? DType.I64 : floats);
    }
  }

  @Test
  void valuesMatchTheChecksumsPytorchComputed() throws Exception {
    for (JsonObject m : InteropFixtures.models()) {
      if (!m.has("checksums")) {
        continue;
      }
      StateDict sd = PthReader.read(InteropFixtures.file(m.get("file").getAsString()));
      JsonObject sums = m.getAsJsonObject("checksums");
      assertThat(sums.keySet()).containsExactlyElementsOf(sd.names());
      for (String name : sums.keySet()) {
        JsonArray s = sums.getAsJsonArray(name);
        Tensor t = sd.get(name);
        double sum = 0;
        for (int i = 0; i < t.size(); i++) {
          sum += t.getFloat(i);
        }
        assertThat(sum).as(name).isCloseTo(s.get(0).getAsDouble(), org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) t.getFloat(0)).as(name).isEqualTo(s.get(1).getAsDouble());
      }
    }
  }

  @Test
  void stridedViewsAndOffsetsReadAsTheSameValues() throws Exception {
    for (String base : List.of("unet_t_w4_d2", "unet_b_w4_d3")) {
      StateDict plain = PthReader.read(InteropFixtures.file(base + ".pth"));
      StateDict strided = PthReader.read(InteropFixtures.file(base + "_strided.pth"));
      assertThat(strided.tensors()).isEqualTo(plain.tensors());
    }
  }

  @Test
  void checkpointDictIsUnwrappedAndDataParallelPrefixStripped() throws Exception {
    StateDict plain = PthReader.read(InteropFixtures.file("unet_t_w4_d2.pth"));
    StateDict ckpt = PthReader.read(InteropFixtures.file("unet_t_w4_d2_checkpoint.pth"));
    assertThat(ckpt.tensors()).isEqualTo(plain.tensors());
    assertThat(ckpt.metadata())
        .containsEntry("pth.epoch", "90")
        .containsEntry("pth.state_dict_key", "model_state_dict")
        .containsEntry("pth.stripped_prefix", "module.");
    assertThat(plain.metadata()).isEmpty();
  }

  @Test
  void halfAndBfloat16WeightsAreTheFloat32WeightsRoundedToNearestEven() throws Exception {
    StateDict plain = PthReader.read(InteropFixtures.file("unet_t_w4_d2.pth"));
    for (DType dtype : List.of(DType.F16, DType.BF16)) {
      StateDict low =
          PthReader.read(
              InteropFixtures.file("unet_t_w4_d2_" + dtype.name().toLowerCase(Locale.ROOT) + ".pth"));
      for (String name : plain.names()) {
        Tensor expected = plain.get(name);
        if (expected.dtype().isFloating()) {
          expected = expected.toDType(dtype);
        }
        assertThat(low.get(name)).as(name).isEqualTo(expected);
      }
    }
  }

  @Test
  void refusesPickleCallingOsSystemNamingTheGlobal() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/os_system.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'os.system'")
        .hasMessageContaining("nothing was executed");
  }

  @Test
  void refusesLoadFromBytesAndStackGlobalEval() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/load_from_bytes.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'torch.storage._load_from_bytes'");
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/stack_global_eval.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'builtins.eval'");
  }

  @Test
  void refusesZipBombBeforeInflating() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/zip_bomb.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("zip bomb")
        .hasMessageContaining("data/0");
  }

  @Test
  void refusesEntryInflatingPastItsDeclaredSize() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/lying_size.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("more than its declared");
  }

  @Test
  void refusesEntryShorterThanItsDeclaredSize() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/short_entry.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("data.pkl' holds")
        .hasMessageContaining("(truncated file?)");
  }

  @Test
  void refusesPathTraversalEntryNames() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/path_traversal.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unsafe zip entry name '../../../tmp/evil.sh'");
  }

  @Test
  void refusesAbsurdDeclaredSizes() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/huge_declared.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("data.pkl")
        .hasMessageContaining("4294967280");
  }

  @Test
  void refusesTruncatedFiles() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/truncated.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("truncated or corrupt");
  }

  @Test
  void legacyFormatExplainsHowToResave() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/legacy.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("legacy (non-zip)")
        .hasMessageContaining("torch.save(sd, 'model.pth')");
  }

  @Test
  void torchScriptArchiveExplainsToSaveTheStateDict() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/torchscript.pt")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("TorchScript")
        .hasMessageContaining("model.state_dict()");
  }

  @Test
  void wholePickledModuleIsRefusedNamingItsClass() {
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("hostile/whole_module.pth")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("'__main__.UNet'")
        .hasMessageContaining("torch.save(model.state_dict(), 'weights.pth')");
  }

  @Test
  void looksLikePthRecognizesZipAndLegacyButNotText() throws Exception {
    assertThat(PthReader.looksLikePth(InteropFixtures.file("unet_t_w4_d2.pth"))).isTrue();
    assertThat(PthReader.looksLikePth(InteropFixtures.file("hostile/legacy.pth"))).isTrue();
    assertThat(PthReader.looksLikePth(InteropFixtures.file("manifest.json"))).isFalse();
    assertThatThrownBy(() -> PthReader.read(InteropFixtures.file("manifest.json")))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a torch.save file");
  }

  // --- hand-built archives ----------------------------------------------------------------------

  private Path archive(byte[] pickle, Map<String, byte[]> extra) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", pickle);
    entries.putAll(extra);
    entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    return PickleBuilder.zip(tmp.resolve("f" + System.nanoTime() + ".pth"), entries);
  }

  private Path archive(byte[] pickle) {
    return archive(pickle, Map.of());
  }

  @Test
  void readsBigEndianStoragesAndStridedViewsBuiltByHand() throws Exception {
    // A 2x3 tensor that is the transpose of a contiguous 3x2 storage, at offset 1.
    float[] storage = {99, 1, 4, 2, 5, 3, 6};
    ByteBuffer be = ByteBuffer.allocate(4 * storage.length).order(ByteOrder.BIG_ENDIAN);
    for (float f : storage) {
      be.putFloat(f);
    }
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("FloatStorage", "0", 7, 1, new long[] {2, 3}, new long[] {1, 2})
            .op('s')
            .stop();
    Path f =
        archive(
            pkl,
            Map.of(
                "archive/data/0", be.array(),
                "archive/byteorder", "big".getBytes(StandardCharsets.US_ASCII)));
    Tensor w = PthReader.read(f).get("w");
    assertThat(w.shape()).containsExactly(2, 3);
    assertThat(w.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @Test
  void tensorReachingPastItsStorageIsAnError() {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("FloatStorage", "0", 4, 0, new long[] {2, 3}, new long[] {3, 1})
            .op('s')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(1, 2, 3, 4)));
    assertThatThrownBy(() -> PthReader.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tensor 'w'")
        .hasMessageContaining("reaches element 5 of a storage of 4");
  }

  @Test
  void emptyTensorWithAnOffsetPastItsStorageReadsAsEmpty() throws Exception {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("FloatStorage", "0", 1, 9, new long[] {0, 3}, new long[] {3, 1})
            .op('s')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(1)));
    assertThat(PthReader.read(f).get("w").shape()).containsExactly(0, 3);
  }

  @Test
  void storageShorterThanItsNumelIsAnError() {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("FloatStorage", "0", 8, 0, new long[] {8}, new long[] {1})
            .op('s')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(1, 2, 3, 4)));
    assertThatThrownBy(() -> PthReader.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("holds 16 bytes, but its tensor needs 8 elements of 4 bytes");
  }

  @Test
  void unsupportedDtypeNamesTheTensorAndStorage() {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("DoubleStorage", "0", 1, 0, new long[] {1}, new long[] {1})
            .op('s')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", new byte[8]));
    assertThatThrownBy(() -> PthReader.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tensor 'w' is stored as torch.DoubleStorage")
        .hasMessageContaining("v.float()");
  }

  @Test
  void topLevelWithoutTensorsListsWhatItFound() {
    byte[] pkl = PickleBuilder.proto2().op('}').str("epoch").integer(3).op('s').stop();
    assertThatThrownBy(() -> PthReader.read(archive(pkl)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("not a state dict")
        .hasMessageContaining("epoch (int)")
        .hasMessageContaining("optStateDictKey");
    byte[] list = PickleBuilder.proto2().op(']').stop();
    assertThatThrownBy(() -> PthReader.read(archive(list)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("holds a list");
  }

  @Test
  void optStateDictKeyPicksAnotherEntry() throws Exception {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .op('(')
            .str("epoch")
            .integer(7)
            .str("discriminator")
            .op('}')
            .str("module.w")
            .tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1})
            .op('s')
            .str("model_state_dict")
            .op('}')
            .op('u')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(2.5f)));
    StateDict sd = PthReader.builder().optStateDictKey("discriminator").build().load(f);
    assertThat(sd.names()).containsExactly("w");
    assertThat(sd.get("w").toFloatArray()).containsExactly(2.5f);
    assertThat(sd.metadata()).containsEntry("pth.epoch", "7");
    // Without the key, the (empty) model_state_dict wins.
    assertThat(PthReader.read(f).size()).isZero();
    assertThatThrownBy(() -> PthReader.builder().optStateDictKey("nope").build().load(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("no dict under key 'nope'")
        .hasMessageContaining("discriminator (dict)");
  }

  @Test
  void moduleprefixIsKeptUnlessEveryNameHasIt() throws Exception {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .op('(')
            .str("module.a")
            .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {})
            .str("b")
            .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {})
            .op('u')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(1)));
    assertThat(PthReader.read(f).names()).containsExactly("module.a", "b");
  }

  @Test
  void aliasingAndBroadcastingViewsCannotMultiplyMemory() throws Exception {
    // One stored float broadcast (stride 0) to 100,000 elements.
    byte[] broadcast =
        PickleBuilder.proto2()
            .op('}')
            .str("w")
            .tensor("FloatStorage", "0", 1, 0, new long[] {1000, 100}, new long[] {0, 0})
            .op('s')
            .stop();
    Path f = archive(broadcast, Map.of("archive/data/0", PickleBuilder.floatsLe(7)));
    assertThatThrownBy(() -> PthReader.read(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("tensor 'w' brings the tensors to 100000 elements from 1 stored")
        .hasMessageContaining("optMaxExpansion");
    // A genuine (if odd) file passes with a raised limit, and broadcasts correctly.
    Tensor w = PthReader.builder().optMaxExpansion(100_000).build().load(f).get("w");
    assertThat(w.shape()).containsExactly(1000, 100);
    assertThat(w.getFloat(99_999)).isEqualTo(7f);
  }

  @Test
  void compiledAndDataParallelPrefixesAreStrippedTogether() throws Exception {
    byte[] pkl =
        PickleBuilder.proto2()
            .op('}')
            .op('(')
            .str("module._orig_mod.a")
            .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {})
            .str("module._orig_mod.b")
            .tensor("FloatStorage", "0", 1, 0, new long[] {}, new long[] {})
            .op('u')
            .stop();
    Path f = archive(pkl, Map.of("archive/data/0", PickleBuilder.floatsLe(1)));
    StateDict sd = PthReader.read(f);
    assertThat(sd.names()).containsExactly("a", "b");
    assertThat(sd.metadata()).containsEntry("pth.stripped_prefix", "module._orig_mod.");
  }

  @Test
  void memoLimit() {
    byte[] pkl = PickleBuilder.proto2().op(']').raw('q', 0).raw('q', 1).raw('q', 2).stop();
    assertThatThrownBy(() -> PthReader.builder().optMaxMemo(2).build().load(archive(pkl)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("memo exceeds the limit of 2");
  }

  @Test
  void stackLimit() {
    PickleBuilder b = PickleBuilder.proto2();
    for (int i = 0; i < 11; i++) {
      b.integer(i);
    }
    byte[] pkl = b.stop();
    assertThatThrownBy(() -> PthReader.builder().optMaxStack(10).build().load(archive(pkl)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("stack exceeds the limit of 10");
  }

  @Test
  void containerNestingLimit() {
    PickleBuilder b = PickleBuilder.proto2();
    for (int i = 0; i < 150; i++) {
      b.op(']');
    }
    for (int i = 0; i < 149; i++) {
      b.op('a');
    }
    Path deep = archive(b.stop());
    // The file, the limit and what a checkpoint looks like (was: no file, only the limit).
    assertThatThrownBy(() -> PthReader.read(deep))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith(deep.toString())
        .hasMessageContaining("pickle nests containers deeper than the limit of 100 levels, "
            + "expected a state dict or checkpoint (about 7 levels)")
        .hasMessageContaining("optMaxNesting");
  }

  @Test
  void markNestingLimit() {
    PickleBuilder b = PickleBuilder.proto2();
    for (int i = 0; i < 101; i++) {
      b.op('(');
    }
    Path deep = archive(b.stop());
    assertThatThrownBy(() -> PthReader.read(deep))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageStartingWith(deep.toString())
        .hasMessageContaining("nests marks deeper than the limit of 100 levels, expected a state "
            + "dict or checkpoint");
  }

  @Test
  void stringLengthLimitAndLengthsBeyondTheData() {
    byte[] pkl = PickleBuilder.proto2().str("hello").stop();
    assertThatThrownBy(() -> PthReader.builder().optMaxStringBytes(4).build().load(archive(pkl)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("5 bytes exceeds the limit of 4");
    byte[] lying = PickleBuilder.proto2().raw('X').le32(1000).raw('a', 'b').stop();
    assertThatThrownBy(() -> PthReader.read(archive(lying)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("truncated pickle: 1000 bytes needed");
    byte[] huge = PickleBuilder.proto2().raw('X').le32(-1).stop();
    assertThatThrownBy(() -> PthReader.read(archive(huge)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("4294967295 bytes exceeds the limit");
  }

  @Test
  void cyclicListAsDictKeyIsRefused() {
    // l = []; l.append(l); {l: 1}
    byte[] pkl =
        PickleBuilder.proto2().op('}').op(']').raw('q', 0).raw('h', 0).op('a').integer(1).op('s')
            .stop();
    assertThatThrownBy(() -> PthReader.read(archive(pkl)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unhashable list");
  }

  @Test
  void objectCreationAndUnknownOpcodesAreRefused() {
    byte[] newobj =
        PickleBuilder.proto2().global("collections", "OrderedDict").op(')').raw(0x81).stop();
    assertThatThrownBy(() -> PthReader.read(archive(newobj)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("creates an object of a class (opcode 0x81)");
    byte[] unknown = PickleBuilder.proto2().raw(0xff).stop();
    assertThatThrownBy(() -> PthReader.read(archive(unknown)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("unsupported pickle opcode 0xff");
    byte[] noStop = {(byte) 0x80, 2, '}'};
    assertThatThrownBy(() -> PthReader.read(archive(noStop)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("without a STOP opcode");
    byte[] storageCall =
        PickleBuilder.proto2().global("torch", "FloatStorage").op(')').op('R').stop();
    assertThatThrownBy(() -> PthReader.read(archive(storageCall)))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("torch.FloatStorage is a type tag and cannot be called");
  }

  @Test
  void zipWithoutDataPklAndDuplicateArchivesAreRefused() throws Exception {
    Path none = PickleBuilder.zip(tmp.resolve("none.pth"), Map.of("x/y", new byte[1]));
    assertThatThrownBy(() -> PthReader.read(none))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("expected exactly one '<archive>/data.pkl' entry, found 0");
    byte[] pkl = PickleBuilder.proto2().op('}').stop();
    Map<String, byte[]> two = new LinkedHashMap<>();
    two.put("a/data.pkl", pkl);
    two.put("b/data.pkl", pkl);
    Path dup = PickleBuilder.zip(tmp.resolve("two.pth"), two);
    assertThatThrownBy(() -> PthReader.read(dup))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("found 2");
  }

  @Test
  void entryCountLimit() throws Exception {
    Path f = archive(PickleBuilder.proto2().op('}').stop());
    assertThatThrownBy(() -> PthReader.builder().optMaxEntries(1).build().load(f))
        .isInstanceOf(ModelFormatException.class)
        .hasMessageContaining("more than 1 zip entries");
  }

  @Test
  void builderRejectsNonsenseLimits() {
    assertThatThrownBy(() -> PthReader.builder().optMaxNesting(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxNesting must be >= 2, got 1");
    assertThatThrownBy(() -> PthReader.builder().optMaxEntryBytes(1L << 40))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxEntryBytes");
  }

  @Test
  void emptyArchiveStateDictReadsAsEmpty() throws Exception {
    Path f = archive(PickleBuilder.proto2().op('}').stop());
    assertThat(PthReader.read(f).size()).isZero();
  }
}
