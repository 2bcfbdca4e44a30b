package io.github.fran4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Markdown file of the repository names only things that exist (see {@link DocsChecker}). */
class DocsLinkTest {
  private static final Path ROOT =
      Path.of(System.getProperty("fran.root.dir", "..")).toAbsolutePath().normalize();
  private static CodeIndex code;

  @BeforeAll
  static void indexCode() throws IOException {
    code = new CodeIndex(ROOT);
  }

  /** Build output, dependencies and hidden folders (.git, .idea) are not the project's docs. */
  static boolean isIgnored(Path root, Path path) {
    for (Path part : root.relativize(path)) {
      String name = part.toString();
      if (name.equals("target") || name.equals("node_modules") || name.startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyDocNamesOnlyWhatExists() throws IOException {
    List<Path> docs = DocsChecker.markdownFiles(ROOT);
    assertThat(docs).contains(ROOT.resolve("README.md"), ROOT.resolve("docs/index.md"));
    DocsChecker checker = new DocsChecker(ROOT, code);
    List<String> problems = new ArrayList<>();
    for (Path doc : docs) {
      problems.addAll(checker.check(doc, Files.readString(doc)));
    }
    assertThat(problems).as("broken names in the docs").isEmpty();
  }

  @Test
  void findsBrokenNames(@TempDir Path dir) throws IOException {
    Path docs = Files.createDirectories(dir.resolve("docs"));
    Files.writeString(docs.resolve("other.md"), "# Other page\n\n## Set up\n");
    Path page = docs.resolve("page.md");
    String text = String.join("\n",
        "# Page",
        "[ok](other.md#set-up) [missing](gone.md) [no anchor](other.md#nope)",
        "[out](../../elsewhere.md) and ../shared/notes/djl.md, `Conv` is an ONNX operator",
        "`ReAger.reage()` `ReAger.reAge()` `Reager` `java.util.List` `Device.AUTO`",
        "`scripts/fran` `docs/other.md` `target/fran.jar` `age/100`",
        "```java",
        "ReAger reager = ReAger.load(path);",
        "BufferedImage older = reager.reAge(face, 25, 70);",
        "```",
        "");
    List<String> problems = new DocsChecker(dir, code).check(page, text);

    assertThat(problems).hasSize(8);
    assertThat(String.join("\n", problems)).contains(
        "docs/page.md:2: link gone.md: no such file docs/gone.md",
        "docs/page.md:2: link other.md#nope: no heading with anchor #nope",
        "docs/page.md:3: link ../../elsewhere.md leaves the repository",
        "../shared",
        "`ReAger.reAge()`: no member reAge",
        "`Reager`: no type Reager",
        "`scripts/fran`: no such file or folder",
        "docs/page.md:8: ReAger.reAge(...) in a java block");
  }
}
