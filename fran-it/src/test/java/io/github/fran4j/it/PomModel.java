package io.github.fran4j.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/** The few facts of a source pom the release checks need (no inheritance, no interpolation). */
record PomModel(Path dir, Document doc) {

  static PomModel read(Path pom) throws IOException {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setNamespaceAware(false);
      return new PomModel(pom.getParent(), factory.newDocumentBuilder().parse(pom.toFile()));
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException("cannot parse " + pom + ": " + e.getMessage(), e);
    }
  }

  /** The root pom and every module below it ({@code <modules>}, recursively), root first. */
  static List<PomModel> reactor(Path root) throws IOException {
    List<PomModel> all = new ArrayList<>();
    collect(root.resolve("pom.xml"), all);
    return all;
  }

  private static void collect(Path pom, List<PomModel> into) throws IOException {
    PomModel model = read(pom);
    into.add(model);
    for (String module : model.texts("modules", "module")) {
      Path child = model.dir().resolve(module).normalize();
      collect(Files.isDirectory(child) ? child.resolve("pom.xml") : child, into);
    }
  }

  String artifactId() {
    return text(root(), "artifactId");
  }

  String version() {
    String own = text(root(), "version");
    return own != null ? own : text(child(root(), "parent"), "version");
  }

  String packaging() {
    String packaging = text(root(), "packaging");
    return packaging == null ? "jar" : packaging;
  }

  boolean hasParent() {
    return child(root(), "parent") != null;
  }

  /** A property set in this pom's own {@code <properties>}, or null. */
  String property(String name) {
    return text(child(root(), "properties"), name);
  }

  /** The {@code <dependencyManagement>} entries as artifactId to version. */
  Map<String, String> managedVersions() {
    Map<String, String> versions = new LinkedHashMap<>();
    Element management = child(child(root(), "dependencyManagement"), "dependencies");
    if (management != null) {
      for (Element dependency : children(management, "dependency")) {
        versions.put(text(dependency, "artifactId"), text(dependency, "version"));
      }
    }
    return versions;
  }

  private Element root() {
    return doc.getDocumentElement();
  }

  private List<String> texts(String container, String name) {
    List<String> texts = new ArrayList<>();
    Element parent = child(root(), container);
    if (parent != null) {
      for (Element element : children(parent, name)) {
        texts.add(element.getTextContent().trim());
      }
    }
    return texts;
  }

  private static String text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? null : element.getTextContent().trim();
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    List<Element> found = children(parent, name);
    return found.isEmpty() ? null : found.get(0);
  }

  private static List<Element> children(Element parent, String name) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getTagName().equals(name)) {
        found.add(element);
      }
    }
    return found;
  }
}
