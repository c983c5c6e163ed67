package io.lsem.jdbc;

import io.lsem.jdbc.value.ValueParser;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lsem.jdbc.ledger.Ledger;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The GraalVM native-image metadata the jar ships ({@code META-INF/native-image/io.lsem/lsem-jdbc/})
 * names everything the driver reaches by name: the ledger script it reads as a resource, the data
 * source classes {@link LsemObjectFactory} instantiates from a JNDI reference, and the optional
 * libraries {@code transactionTelemetry} probes for. (No native build here: GraalVM cannot be
 * installed from this machine's package registries; this keeps the metadata in step with the code.)
 */
class NativeImageMetadataTest {
  private static final String DIR = "/META-INF/native-image/io.lsem/lsem-jdbc/";

  @Test
  void theLedgerScriptIsAResourceOfTheImage() throws IOException {
    String resources = read("resource-config.json");
    assertTrue(resources.contains("\\\\Q" + Ledger.SCRIPT_RESOURCE.substring(1) + "\\\\E"), resources);
  }

  @Test
  void everyClassTheDriverLoadsByNameIsRegistered() throws IOException {
    String reflect = read("reflect-config.json");
    List<String> needed = new ArrayList<>(List.of(LsemSimpleDataSource.class.getName(),
        LsemConnectionPoolDataSource.class.getName(), LsemXADataSource.class.getName(),
        io.lsem.jdbc.core.DriverCore.class.getName())); // the implementation, by ServiceLoader
    // the libraries transactionTelemetry probes for, as written in the parser
    Matcher probe = Pattern.compile("\"((?:io\\.micrometer|io\\.opentelemetry)[\\w.]+)\"")
        .matcher(Files.readString(Path.of("src/main/java/io/lsem/jdbc/value/ValueParser.java")));
    int probes = 0;
    while (probe.find()) {
      needed.add(probe.group(1));
      probes++;
    }
    assertTrue(probes >= 2, "the telemetry probes were not found in ValueParser");
    for (String name : needed) {
      assertTrue(reflect.contains("\"name\": \"" + name + "\""), name + " is missing from reflect-config.json");
    }
  }

  private static String read(String file) throws IOException {
    try (InputStream in = NativeImageMetadataTest.class.getResourceAsStream(DIR + file)) {
      assertTrue(in != null, DIR + file + " is not in the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
