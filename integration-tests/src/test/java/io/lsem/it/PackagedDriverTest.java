package io.lsem.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemConnection;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Driver;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * The published artifact: the tests in this module run against the shaded jar (not the driver's
 * class directory), the jar registers the driver, carries Caffeine only relocated, carries no
 * Spring, and its consumer POM keeps pgjdbc and SLF4J as dependencies but not Caffeine.
 */
class PackagedDriverTest {
  private static final String SHADED_PREFIX = "io/lsem/jdbc/shaded/caffeine/";
  private static DriverArtifact artifact;

  @BeforeAll
  static void locate() throws Exception {
    artifact = DriverArtifact.locate();
  }

  @Test
  void driverOnTheClassPathIsTheShadedJar() {
    assertTrue(artifact.jar.getFileName().toString().endsWith(".jar") && Files.isRegularFile(artifact.jar),
        "the driver was loaded from " + artifact.jar + ", not from a jar: run 'mvn verify' (package before test)");
    assertTrue(artifact.entries.stream().anyMatch(e -> e.startsWith(SHADED_PREFIX) && e.endsWith(".class")),
        artifact.jar + " has no relocated Caffeine classes under " + SHADED_PREFIX);
    assertEquals(artifact.jar, DriverArtifact.codeSourceOf(LsemConnection.class),
        "the public interface comes from another place than the driver");
    assertEquals("lsem-jdbc", artifact.artifactId);
  }

  /**
   * {@code java -jar lsem-jdbc.jar verify ...} runs the command line with pgjdbc and SLF4J's API
   * beside the jar (the manifest's Main-Class and Class-Path): pgjdbc itself answers that nothing
   * listens on the port, so it was found and loaded.
   */
  @Test
  void theJarRunsTheCommandLineWithPgjdbcBesideIt(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path jar = Files.copy(artifact.jar, dir.resolve("lsem-jdbc.jar"));
    for (Class<?> dependency : new Class<?>[] {org.postgresql.Driver.class, org.slf4j.Logger.class}) {
      Path from = DriverArtifact.codeSourceOf(dependency);
      Files.copy(from, dir.resolve(from.getFileName()));
    }
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        jar.toString(), "verify", "--url", "jdbc:postgresql://127.0.0.1:1/none", "--user", "nobody")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), output);
    assertEquals(2, p.exitValue(), output);
    assertTrue(output.contains("cannot connect") && output.contains("refused"), output);
  }

  /** The BOM manages exactly the driver, the starter and the agent, at the project's version, and inherits nothing of the build. */
  @Test
  void theBomManagesTheProjectsArtifactsOnly() throws Exception {
    Path bom = Path.of("..", "bom", "pom.xml");
    String text = Files.readString(bom);
    assertFalse(text.contains("<parent>"), "the BOM must not inherit the build's dependency management");
    assertEquals(3, text.split("<dependency>", -1).length - 1, text);
    String version = text.substring(text.indexOf("<version>") + 9, text.indexOf("</version>"));
    for (String artifactId : List.of("lsem-jdbc", "lsem-jdbc-spring-boot-starter", "lsem-jdbc-agent")) {
      assertTrue(text.contains("<artifactId>" + artifactId + "</artifactId>\n        <version>" + version + "</version>"),
          artifactId + " at the BOM's own version " + version);
    }
    assertTrue(artifact.jar.getFileName().toString().contains(version), artifact.jar + " is not version " + version);
  }

  @Test
  void classPathHasOnlyWhatApplicationsGet() {
    // the driver must run on its relocated copy; the original is not here (see this module's POM)
    assertThrows(ClassNotFoundException.class, () -> Class.forName("com.github.benmanes.caffeine.cache.Caffeine"));
  }

  @Test
  void jarRegistersTheDriverAsAService() {
    List<String> named = artifact.read("META-INF/services/java.sql.Driver").lines()
        .map(l -> l.replaceFirst("#.*", "").strip())
        .filter(l -> !l.isEmpty())
        .collect(Collectors.toList());
    assertEquals(List.of("io.lsem.jdbc.LsemDriver"), named);

    List<Driver> loaded = new ArrayList<>();
    ServiceLoader.load(Driver.class).forEach(loaded::add);
    assertTrue(loaded.stream().anyMatch(d -> d.getClass().getName().equals("io.lsem.jdbc.LsemDriver")
            && DriverArtifact.codeSourceOf(d.getClass()).equals(artifact.jar)),
        "ServiceLoader found no LsemDriver from the jar: " + loaded);
  }

  @Test
  void jarHoldsNoForeignClassesAndNoUnrelocatedReferences() {
    for (String foreign : List.of("com/github/benmanes/", "org/springframework/", "org/postgresql/", "org/slf4j/")) {
      List<String> found = artifact.entries.stream().filter(e -> e.startsWith(foreign)).limit(3).toList();
      assertTrue(found.isEmpty(), "the jar must not contain " + foreign + ": " + found);
    }
    // the driver's own classes must refer to Caffeine only by its relocated name
    byte[] original = "com/github/benmanes/caffeine".getBytes(StandardCharsets.UTF_8);
    List<String> ownClasses = artifact.entries.stream()
        .filter(e -> e.startsWith("io/lsem/jdbc/") && !e.startsWith(SHADED_PREFIX) && e.endsWith(".class"))
        .toList();
    assertFalse(ownClasses.isEmpty());
    for (String entry : ownClasses) {
      assertFalse(contains(artifact.bytes(entry), original), entry + " still refers to com.github.benmanes.caffeine");
    }
  }

  @Test
  void springFactoriesNameClassesThatAreInTheJar() {
    Map<String, List<String>> factories = springFactories(artifact.read("META-INF/spring.factories"));
    assertEquals(List.of("io.lsem.jdbc.spring.DriverClassNamePostProcessor"),
        factories.get("org.springframework.boot.EnvironmentPostProcessor"));
    assertEquals(List.of("io.lsem.jdbc.spring.LegacyDriverClassNamePostProcessor"),
        factories.get("org.springframework.boot.env.EnvironmentPostProcessor"));
    factories.values().stream().flatMap(List::stream).forEach(name ->
        assertTrue(artifact.entries.contains(name.replace('.', '/') + ".class"), name + " is not in the jar"));
  }

  @Test
  void consumerPomKeepsPgjdbcAndSlf4jButNotCaffeine() throws Exception {
    Path pom = artifact.consumerPom();
    assertTrue(Files.isRegularFile(pom), "no dependency-reduced POM at " + pom);
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
    Element project = doc.getDocumentElement();
    assertEquals("lsem-jdbc", childText(project, "artifactId"));

    String version = childText(project, "version") != null ? childText(project, "version")
        : childText(child(project, "parent"), "version");
    assertEquals(artifact.version, version, pom + " describes another version than the jar");

    Map<String, Element> dependencies = dependencies(project);
    // the reduced POM is the jar's own POM less what was shaded in: a stale file would differ
    String ownPom = artifact.read("META-INF/maven/io.lsem/lsem-jdbc/pom.xml");
    Element own = DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(new InputSource(new StringReader(ownPom))).getDocumentElement();
    Set<String> expected = new TreeSet<>(dependencies(own).keySet());
    expected.removeIf(k -> k.startsWith("com.github.ben-manes.caffeine:"));
    assertEquals(expected, new TreeSet<>(dependencies.keySet()), pom + " does not match the jar's POM");

    for (String required : List.of("org.postgresql:postgresql", "org.slf4j:slf4j-api")) {
      Element d = dependencies.get(required);
      assertNotNull(d, pom + " lacks " + required + "; has " + dependencies.keySet());
      String scope = childText(d, "scope");
      assertTrue(scope == null || scope.equals("compile"), required + " has scope " + scope);
      assertFalse("true".equals(childText(d, "optional")), required + " must not be optional");
    }
    assertFalse(dependencies.keySet().stream().anyMatch(k -> k.startsWith("com.github.ben-manes.caffeine:")),
        pom + " still lists Caffeine, which is shaded: " + dependencies.keySet());
    dependencies.forEach((key, d) -> {
      if (key.startsWith("org.springframework")) {
        assertTrue("provided".equals(childText(d, "scope")) || "true".equals(childText(d, "optional")),
            key + " must reach applications only if they bring Spring themselves");
      }
    });
  }

  private static Map<String, List<String>> springFactories(String text) {
    // the .properties format with backslash continuations, as Spring reads it
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, List<String>> result = new LinkedHashMap<>();
    for (String key : p.stringPropertyNames()) {
      result.put(key, Arrays.stream(p.getProperty(key).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
    }
    return result;
  }

  /** groupId:artifactId of each dependency in the POM's own dependencies section. */
  private static Map<String, Element> dependencies(Element project) {
    Map<String, Element> result = new LinkedHashMap<>();
    Element deps = child(project, "dependencies");
    assertNotNull(deps, "a POM without dependencies");
    for (Node n = deps.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element d && d.getTagName().equals("dependency")) {
        result.put(childText(d, "groupId") + ":" + childText(d, "artifactId"), d);
      }
    }
    return result;
  }

  private static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static String childText(Element parent, String tag) {
    Element e = child(parent, tag);
    return e == null ? null : e.getTextContent().strip();
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
