package io.lsem.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The driver jar as the test class path has it: found the way an application finds the driver
 * (the {@link DriverManager} entry for a {@code jdbc:lsem:postgresql:} URL), then read as a file.
 */
final class DriverArtifact {
  static final String SAMPLE_URL = "jdbc:lsem:postgresql://127.0.0.1/any";

  final Path jar;
  final List<String> entries;
  final String artifactId;
  final String version;

  private DriverArtifact(Path jar, List<String> entries, String artifactId, String version) {
    this.jar = jar;
    this.entries = entries;
    this.artifactId = artifactId;
    this.version = version;
  }

  /** Locates the jar that holds the driver {@link DriverManager} picks for an LSEM URL. */
  static DriverArtifact locate() throws SQLException, IOException {
    Driver driver = DriverManager.getDriver(SAMPLE_URL);
    Path jar = codeSourceOf(driver.getClass());
    if (!Files.isRegularFile(jar) || !jar.getFileName().toString().endsWith(".jar")) {
      throw new IllegalStateException("the driver was loaded from " + jar + ", not from its packaged jar: these tests"
          + " need the shaded driver, so run them in the verify phase ('mvn verify'), not with 'mvn test'");
    }
    List<String> entries = new ArrayList<>();
    Properties pom = new Properties();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (JarEntry e : Collections.list(file.entries())) {
        entries.add(e.getName());
        if (e.getName().startsWith("META-INF/maven/") && e.getName().endsWith("/pom.properties")) {
          try (InputStream in = file.getInputStream(e)) {
            pom.load(in);
          }
        }
      }
    }
    return new DriverArtifact(jar, List.copyOf(entries), pom.getProperty("artifactId"), pom.getProperty("version"));
  }

  /** The file or directory a class was loaded from. */
  static Path codeSourceOf(Class<?> type) {
    CodeSource source = type.getProtectionDomain().getCodeSource();
    if (source == null) {
      throw new IllegalStateException(type + " has no code source");
    }
    try {
      return Path.of(source.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text of one entry of the jar. */
  String read(String entry) {
    try (JarFile file = new JarFile(jar.toFile())) {
      JarEntry e = file.getJarEntry(entry);
      if (e == null) {
        throw new IllegalArgumentException(jar + " has no entry " + entry);
      }
      try (InputStream in = file.getInputStream(e)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The raw bytes of one entry of the jar. */
  byte[] bytes(String entry) {
    try (JarFile file = new JarFile(jar.toFile())) {
      try (InputStream in = file.getInputStream(file.getJarEntry(entry))) {
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether the jar was resolved from a Maven repository rather than built in this reactor. */
  boolean fromRepository() {
    return Files.isRegularFile(repositoryPom());
  }

  private Path repositoryPom() {
    String name = jar.getFileName().toString();
    return jar.resolveSibling(name.substring(0, name.length() - ".jar".length()) + ".pom");
  }

  /**
   * The POM consumers of this jar get. In a Maven repository it lies beside the jar under the
   * same name (the shade plugin makes the dependency-reduced POM the one that is installed and
   * deployed). Built in this reactor, the jar is in the driver's build directory and the shade
   * plugin wrote {@code dependency-reduced-pom.xml} beside it (the driver's POM sets that
   * location, so the build leaves nothing in the source tree).
   */
  Path consumerPom() {
    return fromRepository() ? repositoryPom() : jar.resolveSibling("dependency-reduced-pom.xml");
  }
}
