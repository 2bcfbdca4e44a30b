package io.github.fran4j.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.ResolutionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The published modules as a user gets them. A module is published unless its pom sets
 * {@code fran.publish.skip} to true; fran-parent and fran-bom are the two poms around them.
 */
class ReleaseLayoutTest {
  private static final Path ROOT = Path.of(System.getProperty("fran.root.dir", "..")).toAbsolutePath().normalize();
  private static PomModel parent;
  private static PomModel bom;
  private static final List<PomModel> PUBLISHED = new ArrayList<>();

  @BeforeAll
  static void readReactor() throws IOException {
    for (PomModel pom : PomModel.reactor(ROOT)) {
      if (pom.dir().equals(ROOT)) {
        parent = pom;
      } else if (pom.artifactId().equals("fran-bom")) {
        bom = pom;
      } else if (!"true".equals(pom.property("fran.publish.skip"))) {
        PUBLISHED.add(pom);
      }
    }
    assertThat(bom).as("fran-bom is a module of %s", ROOT.resolve("pom.xml")).isNotNull();
    assertThat(PUBLISHED).extracting(PomModel::artifactId)
        .contains("fran-core", "fran-onnx", "fran-onnx-gpu");
  }

  @Test
  void bomListsEveryPublishedModuleAtTheParentsVersion() {
    Map<String, String> expected = new LinkedHashMap<>();
    for (PomModel module : PUBLISHED) {
      expected.put(module.artifactId(), parent.version());
    }
    assertThat(bom.hasParent()).as("fran-bom must not inherit fran-parent's third-party versions")
        .isFalse();
    assertThat(bom.version()).isEqualTo(parent.version());
    assertThat(bom.managedVersions()).containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void publishedJarsCarryTheirModuleNameAndSplitNoPackage() throws IOException {
    List<Path> jars = new ArrayList<>();
    for (PomModel module : PUBLISHED) {
      if (!module.packaging().equals("jar")) {
        continue;
      }
      Path jar = jarOnClassPath(module);
      String name = "io.github.fran4j." + module.artifactId().substring("fran-".length()).replace('-', '.');
      assertThat(module.property("fran.module.name")).as("fran.module.name of %s", module.artifactId())
          .isEqualTo(name);
      assertThat(ModuleJars.automaticModuleName(jar)).as("Automatic-Module-Name of %s", jar).isEqualTo(name);
      assertThat(ModuleJars.packages(jar)).as("packages of %s", jar)
          .isNotEmpty()
          .allSatisfy(pkg -> assertThat(pkg + ".").startsWith(name + "."));
      jars.add(jar);
    }
    assertThat(ModuleJars.splitPackages(jars)).isEmpty();
    assertThat(ModuleJars.resolve(jars).modules()).hasSize(jars.size());
  }

  @Test
  void splitPackagesAreFound(@TempDir Path dir) throws IOException {
    Path a = jar(dir.resolve("a.jar"), "io.github.fran4j.a", "io/github/fran4j/shared/X.class");
    Path b = jar(dir.resolve("b.jar"), "io.github.fran4j.b", "io/github/fran4j/shared/Y.class");
    Path c = jar(dir.resolve("c.jar"), "io.github.fran4j.c", "io/github/fran4j/c/Z.class");

    assertThat(ModuleJars.splitPackages(List.of(a, b, c)))
        .containsOnlyKeys("io.github.fran4j.shared");
    assertThat(ModuleJars.splitPackages(List.of(a, c))).isEmpty();
    assertThat(ModuleJars.automaticModuleName(b)).isEqualTo("io.github.fran4j.b");
    assertThatThrownBy(() -> ModuleJars.resolve(List.of(a, b, c)))
        .isInstanceOf(ResolutionException.class)
        .hasMessageContaining("io.github.fran4j.shared");
  }

  @Test
  void flattenedPomsAreCompleteAndResolved() throws IOException {
    for (PomModel module : PUBLISHED) {
      Path flattened = module.dir().resolve("target/.flattened-pom.xml");
      assertThat(flattened).as("flattened pom of %s (mvn package writes it)", module.artifactId())
          .exists();
      String xml = Files.readString(flattened);
      assertThat(xml).as(flattened.toString())
          .doesNotContain("${")
          .doesNotContain("<parent>")
          // the parent's url and scm, not with the module's name appended by inheritance
          .contains("<url>https://github.com/fran4j/fran4j</url>")
          .doesNotContain("fran4j.git/", "fran4j/fran4j/" + module.artifactId())
          .contains("<name>", "<description>", "<url>", "<licenses>", "<name>Apache-2.0</name>",
              "<developers>", "<scm");
    }
    String onnx = Files.readString(ROOT.resolve("fran-onnx/target/.flattened-pom.xml"));
    assertThat(onnx).contains("<artifactId>onnxruntime</artifactId>");
    // fran-onnx-gpu: fran-onnx without its CPU jar, plus the CUDA jar, all versions written out
    String gpu = Files.readString(ROOT.resolve("fran-onnx/gpu/target/.flattened-pom.xml"))
        .replaceAll("\\s+", "");
    assertThat(gpu).contains(
        "<artifactId>fran-onnx</artifactId><version>" + parent.version() + "</version>",
        "<exclusion><groupId>com.microsoft.onnxruntime</groupId><artifactId>onnxruntime</artifactId></exclusion>",
        "<artifactId>onnxruntime_gpu</artifactId><version>");
  }

  @Test
  void everyPomNamesTheLicence() throws IOException {
    assertThat(ROOT.resolve("LICENSE")).content().contains("Apache License", "Version 2.0");
    assertThat(ROOT.resolve("NOTICE")).exists();
    for (PomModel pom : PomModel.reactor(ROOT)) {
      if (pom.hasParent() && pom != parent) {
        continue; // inherits <licenses>
      }
      assertThat(pom.dir().resolve("pom.xml")).content().contains("<name>Apache-2.0</name>");
    }
  }

  private static Path jarOnClassPath(PomModel module) {
    Path dir = module.dir().toAbsolutePath().normalize();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path path = Path.of(entry).toAbsolutePath().normalize();
      if (path.startsWith(dir.resolve("target")) && path.getFileName().toString().endsWith(".jar")
          && path.getParent().equals(dir.resolve("target"))) {
        return path;
      }
    }
    throw new AssertionError(module.artifactId() + "'s jar is not on fran-it's test class path: add "
        + module.artifactId() + " to fran-it/pom.xml (scope test) and run mvn verify (the jars are"
        + " made in the package phase)");
  }

  private static Path jar(Path file, String moduleName, String classEntry) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().putValue("Automatic-Module-Name", moduleName);
    try (OutputStream out = Files.newOutputStream(file);
        JarOutputStream jar = new JarOutputStream(out, manifest)) {
      jar.putNextEntry(new JarEntry(classEntry));
      jar.write(new byte[] {(byte) 0xCA, (byte) 0xFE});
      jar.closeEntry();
    }
    return file;
  }
}
