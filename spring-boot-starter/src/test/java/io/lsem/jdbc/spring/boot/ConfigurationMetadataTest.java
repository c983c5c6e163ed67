package io.lsem.jdbc.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lsem.jdbc.LsemProperty;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The IDE-completion metadata the starter ships ({@code META-INF/spring-configuration-metadata.json})
 * lists every driver property under {@code spring.datasource.lsem}, with its description and
 * default, exactly as {@link LsemProperty} defines them. When a property changes, this fails and
 * writes the new file to {@code target/spring-configuration-metadata.json} to copy over.
 */
class ConfigurationMetadataTest {
  @Test
  void theShippedMetadataListsEveryDriverProperty() throws IOException {
    String expected = metadata();
    String shipped;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      shipped = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    if (!shipped.equals(expected)) {
      Files.writeString(Path.of("target", "spring-configuration-metadata.json"), expected);
    }
    assertEquals(expected, shipped, "copy target/spring-configuration-metadata.json to src/main/resources/META-INF/");
  }

  @Test
  void springNamesMapToTheDriversNames() {
    for (LsemProperty p : LsemProperty.values()) {
      assertEquals(p.propertyName(), DriverPropertyNames.fromSpring(DriverPropertyNames.toSpring(p)));
      assertEquals(p.propertyName(), DriverPropertyNames.fromSpring(p.propertyName()), "the driver's own name works too");
    }
  }

  static String metadata() {
    StringBuilder json = new StringBuilder("{\n  \"groups\": [\n    {\n      \"name\": \"")
        .append(LsemDataSourceAutoConfiguration.PREFIX)
        .append("\",\n      \"type\": \"io.lsem.jdbc.pool.LsemDataSource\",\n      \"description\": \"")
        .append("LSEM JDBC driver properties of the LsemDataSource made for a jdbc:lsem: spring.datasource.url.")
        .append("\"\n    }\n  ],\n  \"properties\": [");
    LsemProperty[] all = LsemProperty.values();
    for (int i = 0; i < all.length; i++) {
      LsemProperty p = all[i];
      json.append(i == 0 ? "\n" : ",\n").append("    {\n      \"name\": \"").append(LsemDataSourceAutoConfiguration.PREFIX)
          .append('.').append(DriverPropertyNames.toSpring(p)).append("\",\n      \"type\": \"java.lang.String\",\n")
          .append("      \"sourceType\": \"io.lsem.jdbc.pool.LsemDataSource\",\n")
          .append("      \"description\": \"").append(escape(p.description() + " (" + p.expectedForm() + ")")).append('"');
      if (p.defaultValue() != null && !p.defaultValue().isEmpty()) {
        json.append(",\n      \"defaultValue\": \"").append(escape(p.defaultValue())).append('"');
      }
      json.append("\n    }");
    }
    return json.append("\n  ]\n}\n").toString();
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> out.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return out.toString();
  }
}
