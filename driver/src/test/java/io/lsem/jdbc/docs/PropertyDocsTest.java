package io.lsem.jdbc.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.LsemProperty;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The user docs describe every driver property with its real default: each {@link LsemProperty}
 * has a row {@code | `name` | `default` | ...} in a page under {@code docs/}, and no row names a
 * property the driver does not have.
 */
class PropertyDocsTest {
  private static final Pattern ROW = Pattern.compile("^\\| `([A-Za-z]+)` \\| ([^|]*) \\|", Pattern.MULTILINE);

  @Test
  void everyPropertyHasARowWithItsDefault() throws IOException {
    Path docs = Path.of("..", "docs");
    assertTrue(Files.isDirectory(docs), "docs/ beside the driver module: " + docs.toAbsolutePath());
    StringBuilder all = new StringBuilder();
    try (Stream<Path> pages = Files.list(docs)) {
      for (Path page : (Iterable<Path>) pages.filter(p -> p.toString().endsWith(".md"))::iterator) {
        all.append(Files.readString(page)).append('\n');
      }
    }
    List<String> problems = new ArrayList<>();
    List<String> documented = new ArrayList<>();
    Matcher m = ROW.matcher(all);
    while (m.find()) {
      documented.add(m.group(1));
      LsemProperty p = property(m.group(1));
      String shown = m.group(2).trim();
      if (p != null && !shown.startsWith("`" + p.defaultValue() + "`") && !(p.defaultValue().isEmpty() && !shown.startsWith("`"))) {
        problems.add(m.group(1) + ": docs say " + shown + ", the driver's default is '" + p.defaultValue() + "'");
      }
    }
    for (LsemProperty p : LsemProperty.values()) {
      if (!documented.contains(p.propertyName())) {
        problems.add(p.propertyName() + " has no row in docs/");
      }
    }
    assertEquals(List.of(), problems);
  }

  private static LsemProperty property(String name) {
    for (LsemProperty p : LsemProperty.values()) {
      if (p.propertyName().equals(name)) {
        return p;
      }
    }
    return null; // a table of something else (e.g. a pgjdbc property)
  }
}
