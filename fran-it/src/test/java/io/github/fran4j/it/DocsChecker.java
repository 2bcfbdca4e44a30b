package io.github.fran4j.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds what a Markdown file names that does not exist: links to missing files or headings, links
 * or text that leave the repository ({@code ../shared}), backticked type and member names that no
 * source, JDK or dependency declares, backticked repository paths that are missing, and methods
 * called on project types in {@code java} code blocks that no project source declares.
 */
final class DocsChecker {
  private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
  private static final Pattern REFERENCE_LINK = Pattern.compile("(?m)^\\s*\\[[^\\]]+\\]:\\s*(\\S+)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```(\\w*)[^\\n]*\\n(.*?)^\\s*```");
  private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
  /** Optional package, type (nested types too), optional .member or #member, optional (...). */
  private static final Pattern TYPE_NAME = Pattern.compile(
      "((?:[a-z][a-z0-9_]*\\.)*)([A-Z][A-Za-z0-9]*)((?:\\.[A-Z][A-Za-z0-9]*)*)(?:[.#]([a-z_]\\w*|[A-Z][A-Z0-9_]+))?(\\(.*\\))?");
  private static final Pattern METHOD_CALL = Pattern.compile("([a-z]\\w*)\\((?:.*)\\)");
  private static final Pattern REPO_PATH = Pattern.compile("\\.{0,2}/?[\\w.-]+(?:/[\\w.-]+)+/?");
  private static final Pattern JAVA_DECLARATION = Pattern.compile("\\b([A-Z]\\w*)(?:<[^>]*>)?\\s+([a-z]\\w*)\\s*=");
  private static final Pattern JAVA_CALL = Pattern.compile("\\b([A-Za-z]\\w*)\\s*\\.\\s*([a-z]\\w*)\\s*\\(");
  private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6}\\s+(.*?)\\s*#*\\s*$");
  /**
   * Names of things that are not Java types but look like them: ONNX operators, PyTorch and
   * Python names (the interop docs), and Maven plugin classes. A name a doc uses for such a thing
   * is added here, so that a misspelt Java name still fails.
   */
  private static final Pattern FOREIGN = Pattern.compile(String.join("|",
      // ONNX operators (https://onnx.ai/onnx/operators/)
      "Conv|ConvTranspose|DepthToSpace|Concat|Relu|MaxPool|QLinearConv|QuantizeLinear"
          + "|DequantizeLinear|Transpose|Add|Mul|Sigmoid|Resize|BatchNormalization|Upsample|Cast"
          + "|Pad|LeakyRelu",
      // Apache Spark (provided scope, not on this module's class path)
      "SparkFiles",
      // PyTorch / torchvision / Python
      "(?:torch|nn|collections|torchvision|transforms|np|numpy)\\..*",
      "(?:Half|BFloat16|Long|Double|Int|Short|Char|Byte|Bool|Float)Storage|ColorJitter",
      // Maven plugins' configuration classes
      "ServicesResourceTransformer|ManifestResourceTransformer"));
  /** Where this repository's development workspace keeps material that users do not get. */
  private static final Pattern WORKSPACE = Pattern.compile("\\.\\./shared\\b|(?<![\\w./-])shared/(?:notes|seed-data|photos)\\b");
  /** Paths that builds and runs write: named in docs, absent from a clean checkout. */
  private static final Pattern GENERATED = Pattern.compile("(^|/)(target|demo-out|runs|out)(/|$)");

  private final Path root;
  private final CodeIndex code;
  private final Map<Path, Set<String>> anchors = new HashMap<>();

  DocsChecker(Path root, CodeIndex code) {
    this.root = root;
    this.code = code;
  }

  /** Every problem of one Markdown file, each as "file:line: what". */
  List<String> check(Path file, String text) throws IOException {
    List<String> problems = new ArrayList<>();
    Matcher workspace = WORKSPACE.matcher(text);
    while (workspace.find()) {
      problems.add(where(file, text, workspace.start()) + "points outside the repository ("
          + workspace.group() + "); users do not have that folder");
    }
    StringBuilder prose = new StringBuilder(text);
    Matcher fence = FENCE.matcher(text);
    while (fence.find()) {
      if (fence.group(1).equals("java")) {
        checkJava(file, text, fence.start(2), fence.group(2), problems);
      }
      for (int i = fence.start(); i < fence.end(); i++) {
        if (prose.charAt(i) != '\n') {
          prose.setCharAt(i, ' ');
        }
      }
    }
    String outside = prose.toString();
    for (Pattern pattern : List.of(LINK, REFERENCE_LINK)) {
      Matcher link = pattern.matcher(outside);
      while (link.find()) {
        String problem = checkLink(file, link.group(1));
        if (problem != null) {
          problems.add(where(file, text, link.start()) + problem);
        }
      }
    }
    Matcher span = CODE_SPAN.matcher(outside);
    while (span.find()) {
      String problem = checkCodeSpan(file, span.group(1).trim());
      if (problem != null) {
        problems.add(where(file, text, span.start()) + problem);
      }
    }
    return problems;
  }

  private String checkLink(Path file, String target) throws IOException {
    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
      return null; // https:, mailto: ...
    }
    int hash = target.indexOf('#');
    String pathPart = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? null : target.substring(hash + 1);
    Path resolved = pathPart.isEmpty() ? file : file.getParent().resolve(pathPart).normalize();
    if (!resolved.startsWith(root)) {
      return "link " + target + " leaves the repository";
    }
    if (!Files.exists(resolved)) {
      return "link " + target + ": no such file " + root.relativize(resolved);
    }
    if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
      return "link " + target + ": no heading with anchor #" + anchor + " in " + root.relativize(resolved);
    }
    return null;
  }

  private String checkCodeSpan(Path file, String span) throws IOException {
    String bare = span.replaceFirst("\\(.*\\)$", "");
    if (FOREIGN.matcher(bare).matches()) {
      return null;
    }
    Matcher type = TYPE_NAME.matcher(span);
    if (type.matches() && type.group(2).chars().anyMatch(Character::isLowerCase)) {
      String packagePrefix = type.group(1);
      String simple = type.group(2);
      String nested = type.group(3);
      String member = type.group(4);
      String qualified = packagePrefix + simple + nested;
      if (!packagePrefix.isEmpty() ? !code.typeExists(qualified) : !code.typeExists(simple)) {
        return "`" + span + "`: no type " + (packagePrefix.isEmpty() ? simple : qualified)
            + " in the project, the JDK or the dependencies";
      }
      String last = nested.isEmpty() ? simple : nested.substring(nested.lastIndexOf('.') + 1);
      if (!nested.isEmpty() && code.isProjectType(simple) && !code.isProjectType(last)
          && !code.projectMemberExists(last)) {
        return "`" + span + "`: " + simple + " has no " + last;
      }
      if (member != null && code.isProjectType(last) && !code.projectMemberExists(member)) {
        return "`" + span + "`: no member " + member + " in " + last + " or any project type";
      }
      return null;
    }
    Matcher call = METHOD_CALL.matcher(span);
    if (call.matches() && call.group(1).chars().anyMatch(Character::isUpperCase)
        && !code.projectMemberExists(call.group(1))) {
      // camelCase only: one-word calls (eval(), close()) may be anyone's
      return "`" + span + "`: no project method " + call.group(1);
    }
    if (REPO_PATH.matcher(span).matches() && !span.contains("://") && !GENERATED.matcher(span).find()
        && looksLikeRepositoryPath(span)) {
      Path fromRoot = root.resolve(span).normalize();
      Path fromFile = file.getParent().resolve(span).normalize();
      if (!fromRoot.startsWith(root) && !fromFile.startsWith(root)) {
        return "`" + span + "` is outside the repository";
      }
      if (!Files.exists(fromRoot) && !Files.exists(fromFile)) {
        return "`" + span + "`: no such file or folder in the repository";
      }
    }
    return null;
  }

  /**
   * A relative path whose first part is a file or folder of the repository root, or a folder that
   * scripts usually live in: these are claims about the checkout. Other slashes (age/100,
   * input/output, paths inside archives or on the user's machine) are not checked.
   */
  private boolean looksLikeRepositoryPath(String span) {
    String first = span.replaceFirst("^\\./", "").split("/")[0];
    if (first.isEmpty()) {
      return false; // an absolute path on the user's machine (/proc/cpuinfo)
    }
    return first.equals("..") || Files.exists(root.resolve(first))
        || List.of("scripts", "bin", "src", "docs").contains(first);
  }

  private void checkJava(Path file, String text, int offset, String block, List<String> problems) {
    Map<String, String> variables = new HashMap<>();
    Matcher declaration = JAVA_DECLARATION.matcher(block);
    while (declaration.find()) {
      variables.put(declaration.group(2), declaration.group(1));
    }
    Matcher call = JAVA_CALL.matcher(block);
    while (call.find()) {
      String receiver = call.group(1);
      String type = Character.isUpperCase(receiver.charAt(0)) ? receiver : variables.get(receiver);
      if (type != null && code.isProjectType(type) && !code.projectMemberExists(call.group(2))) {
        problems.add(where(file, text, offset + call.start()) + type + "." + call.group(2)
            + "(...) in a java block: no project type declares " + call.group(2));
      }
    }
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
  private Set<String> anchors(Path markdown) throws IOException {
    Set<String> known = anchors.get(markdown);
    if (known == null) {
      known = new HashSet<>();
      String text = FENCE.matcher(Files.readString(markdown)).replaceAll("");
      Matcher heading = HEADING.matcher(text);
      Map<String, Integer> seen = new HashMap<>();
      while (heading.find()) {
        String slug = heading.group(1).toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        int count = seen.merge(slug, 1, Integer::sum);
        known.add(count == 1 ? slug : slug + "-" + (count - 1));
      }
      anchors.put(markdown, known);
    }
    return known;
  }

  private String where(Path file, String text, int index) {
    int line = 1;
    for (int i = 0; i < index; i++) {
      line += text.charAt(i) == '\n' ? 1 : 0;
    }
    return root.relativize(file) + ":" + line + ": ";
  }

  /** Every Markdown file of the repository outside build output and hidden folders. */
  static List<Path> markdownFiles(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(path -> path.toString().endsWith(".md"))
          .filter(path -> !DocsLinkTest.isIgnored(root, path))
          .sorted()
          .toList();
    }
  }
}
