package io.lsem.jdbc.value;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The property value parsers behind {@link LsemProperty}. */
class ValueParserTest {

  @Test
  void parsesDurations() {
    ValueParser<java.time.Duration> d = ValueParser.duration(java.time.Duration.ZERO, java.time.Duration.ofHours(2));
    assertEquals(java.time.Duration.ofMillis(250), d.parse("250ms"));
    assertEquals(java.time.Duration.ofSeconds(2), d.parse("2s"));
    assertEquals(java.time.Duration.ofMinutes(5), d.parse(" 5m "));
    assertEquals(java.time.Duration.ofSeconds(2), d.parse("PT2S"));
    assertNull(d.parse("3h"));
    assertNull(d.parse("soon"));
  }
}
