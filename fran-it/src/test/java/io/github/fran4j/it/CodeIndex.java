package io.github.fran4j.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The Java names that exist: the project's own types (from every {@code src/main/java} and
 * {@code src/test/java} below the root, so new modules are found without configuration) and the
 * class names of the JDK and of this test's class path (Guava, Gson, DJL, ONNX Runtime, ...).
 */
final class CodeIndex {
  private static final Pattern TYPE_DECLARATION =
      Pattern.compile("\\b(?:class|interface|enum|record|@interface)\\s+([A-Z]\\w*)");

  /** Simple type name to the sources declaring it (nested types map to their file). */
  private final Map<String, List<Path>> projectTypes = new HashMap<>();
  /** Fully qualified names of project types (top level), e.g. io.github.fran4j.core.ReAger. */
  private final Set<String> projectQualified = new HashSet<>();
  private final List<String> projectSources = new ArrayList<>();
  private final Set<String> libraryQualified = new HashSet<>();
  private final Set<String> librarySimple = new HashSet<>();

  CodeIndex(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      files.filter(path -> path.toString().endsWith(".java"))
          .filter(path -> !DocsLinkTest.isIgnored(root, path))
          .filter(path -> path.toString().contains("/src/main/java/")
              || path.toString().contains("/src/test/java/"))
          .forEach(this::addSource);
    }
    indexJdk();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.endsWith(".jar")) {
        indexJar(Path.of(entry));
      }
    }
  }

  private void addSource(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    projectSources.add(text);
    Matcher matcher = TYPE_DECLARATION.matcher(text);
    while (matcher.find()) {
      projectTypes.computeIfAbsent(matcher.group(1), name -> new ArrayList<>()).add(file);
    }
    String path = file.toString().replace(File.separatorChar, '/');
    int src = path.indexOf("/java/", Math.max(path.indexOf("/src/main/"), path.indexOf("/src/test/")));
    projectQualified.add(path.substring(src + "/java/".length(), path.length() - ".java".length())
        .replace('/', '.'));
  }

  private void indexJdk() throws IOException {
    FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
    try (Stream<Path> files = Files.walk(jrt.getPath("/modules"))) {
      files.map(Path::toString)
          .filter(name -> name.endsWith(".class"))
          // /modules/java.base/java/lang/String.class
          .map(name -> name.substring(name.indexOf('/', "/modules/".length()) + 1))
          .forEach(this::addClassEntry);
    }
  }

  private void indexJar(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      file.stream().map(entry -> entry.getName())
          .filter(name -> name.endsWith(".class"))
          .forEach(this::addClassEntry);
    }
  }

  private void addClassEntry(String entry) {
    String binary = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
    libraryQualified.add(binary.replace('$', '.'));
    librarySimple.add(binary.substring(Math.max(binary.lastIndexOf('.'), binary.lastIndexOf('$')) + 1));
  }

  /** Whether a type of this simple name is declared in the project. */
  boolean isProjectType(String simpleName) {
    return projectTypes.containsKey(simpleName);
  }

  /** Whether a type of this simple or qualified name exists in the project, the JDK or the class path. */
  boolean typeExists(String name) {
    if (name.contains(".")) {
      // a partly qualified name (synth.SyntheticAgingDataset) names the end of a qualified one
      String suffix = "." + name;
      return projectQualified.contains(name) || libraryQualified.contains(name)
          || projectQualified.stream().anyMatch(qualified -> qualified.endsWith(suffix));
    }
    return projectTypes.containsKey(name) || librarySimple.contains(name);
  }

  /**
   * Whether some project source declares a method, field, record component or constant of this
   * name. Any source, not only the named type's, so that inherited members and members of
   * supertypes count: the check is against names that exist nowhere (a misspelt method).
   */
  boolean projectMemberExists(String member) {
    Pattern declared = member.chars().anyMatch(Character::isLowerCase)
        ? Pattern.compile("[\\w>\\]]\\s+" + Pattern.quote(member) + "\\s*[(=;,)]")
        : Pattern.compile("\\b" + Pattern.quote(member) + "\\b");
    return projectSources.stream().anyMatch(source -> declared.matcher(source).find());
  }
}
