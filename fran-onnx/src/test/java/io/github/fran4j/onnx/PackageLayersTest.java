package io.github.fran4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The packages of fran-onnx form layers without cycles: {@code format} (the file contract) below
 * {@code runtime}, {@code export} above both, and {@code backend} (the provider) on top;
 * {@code face} uses the runtime and {@code eval} the face models. Read from
 * the sources: every import and fully qualified name of another fran-onnx package counts.
 */
class PackageLayersTest {
  private static final Path SOURCES = Path.of("src/main/java/io/github/fran4j/onnx");
  private static final Pattern REFERENCE = Pattern.compile("io\\.github\\.fran4j\\.onnx\\.(\\w+)\\.");

  /** What each package may use; anything else, and any cycle, fails. */
  private static final Map<String, Set<String>> ALLOWED = Map.of(
      "format", Set.of(),
      "runtime", Set.of("format"),
      "face", Set.of("runtime"),
      "eval", Set.of("face", "runtime"),
      "export", Set.of("format", "runtime"),
      "backend", Set.of("format", "runtime", "export"));

  @Test
  void packagesDependOnlyDownwards() throws IOException {
    Map<String, Set<String>> uses = dependencies();
    assertThat(uses.keySet()).as("packages of fran-onnx").isEqualTo(ALLOWED.keySet());
    uses.forEach((pkg, targets) -> assertThat(targets).as("packages that onnx.%s uses", pkg)
        .isSubsetOf(ALLOWED.get(pkg)));
    // The allowed graph itself must be acyclic, or the check above proves nothing.
    for (String start : ALLOWED.keySet()) {
      assertThat(reachable(start)).as("packages reachable from %s", start).doesNotContain(start);
    }
    // The runtime reads the format the exporter writes, through the neutral package only.
    assertThat(uses.get("runtime")).contains("format").doesNotContain("export");
    assertThat(uses.get("export")).contains("format");
  }

  private static Map<String, Set<String>> dependencies() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.walk(SOURCES)) {
      files = s.filter(p -> p.toString().endsWith(".java")).toList();
    }
    assertThat(files).as("fran-onnx sources under %s", SOURCES.toAbsolutePath()).isNotEmpty();
    for (Path f : files) {
      String pkg = SOURCES.relativize(f).getName(0).toString();
      Set<String> targets = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
      Matcher m = REFERENCE.matcher(Files.readString(f));
      while (m.find()) {
        if (!m.group(1).equals(pkg)) {
          targets.add(m.group(1));
        }
      }
    }
    return uses;
  }

  private static Set<String> reachable(String start) {
    Set<String> seen = new HashSet<>();
    List<String> todo = new java.util.ArrayList<>(ALLOWED.get(start));
    while (!todo.isEmpty()) {
      String p = todo.remove(todo.size() - 1);
      if (seen.add(p)) {
        todo.addAll(ALLOWED.get(p));
      }
    }
    return seen;
  }
}
