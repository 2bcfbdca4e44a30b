package io.github.fran4j.it;

import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/** Checks a set of jars as Java modules: their names and that no package is in two of them. */
final class ModuleJars {
  private ModuleJars() {}

  /** The Automatic-Module-Name of a jar's manifest, or null. */
  static String automaticModuleName(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.getManifest() == null
          ? null
          : file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
    }
  }

  /** The packages holding classes in a jar. */
  static Set<String> packages(Path jar) throws IOException {
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream()
          .map(entry -> entry.getName())
          .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/")
              && !name.equals("module-info.class"))
          .filter(name -> name.lastIndexOf('/') > 0)
          .map(name -> name.substring(0, name.lastIndexOf('/')).replace('/', '.'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Each package found in more than one jar, with those jars; empty when none is split. */
  static Map<String, List<Path>> splitPackages(List<Path> jars) throws IOException {
    Map<String, List<Path>> owners = new TreeMap<>();
    for (Path jar : jars) {
      for (String pkg : packages(jar)) {
        owners.computeIfAbsent(pkg, p -> new ArrayList<>()).add(jar);
      }
    }
    owners.values().removeIf(list -> list.size() < 2);
    return owners;
  }

  /**
   * Resolves the jars as automatic modules in one layer, as the module system does on a user's
   * module path; throws the module system's {@link java.lang.module.ResolutionException} or
   * {@link java.lang.module.FindException} (e.g. two modules with one package).
   */
  static Configuration resolve(List<Path> jars) {
    ModuleFinder finder = ModuleFinder.of(jars.toArray(Path[]::new));
    Set<String> names = finder.findAll().stream()
        .map(ModuleReference::descriptor)
        .map(descriptor -> descriptor.name())
        .collect(Collectors.toSet());
    return ModuleLayer.boot().configuration().resolve(finder, ModuleFinder.of(), names);
  }
}
