package io.lsem.jdbc.value;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a property's text into a typed value, or says what form was expected.
 *
 * @param <T> the value's type
 */
public interface ValueParser<T> {

  /** The value of {@code text}, or {@code null} if it has the wrong form. */
  T parse(String text);

  /** The accepted form, for error messages and documentation, e.g. "an integer from 0 to 100". */
  String expectedForm();

  /** Integers in {@code [min, max]}. */
  static ValueParser<Integer> intRange(int min, int max) {
    return new ValueParser<>() {
      @Override
      public Integer parse(String text) {
        try {
          int v = Integer.parseInt(text.trim());
          return v >= min && v <= max ? v : null;
        } catch (NumberFormatException e) {
          return null;
        }
      }

      @Override
      public String expectedForm() {
        return "an integer from " + min + " to " + max;
      }
    };
  }

  /** {@code true} or {@code false}, any case. */
  static ValueParser<Boolean> bool() {
    return new ValueParser<>() {
      @Override
      public Boolean parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return t.equals("true") ? Boolean.TRUE : t.equals("false") ? Boolean.FALSE : null;
      }

      @Override
      public String expectedForm() {
        return "true or false";
      }
    };
  }

  /** Durations such as {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}, or ISO-8601 {@code PT2S}, within {@code [min, max]}. */
  static ValueParser<Duration> duration(Duration min, Duration max) {
    Pattern simple = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    return new ValueParser<>() {
      @Override
      public Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        Matcher m = simple.matcher(t);
        try {
          if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2)) {
              case "ms": d = Duration.ofMillis(n); break;
              case "s": d = Duration.ofSeconds(n); break;
              case "m": d = Duration.ofMinutes(n); break;
              default: d = Duration.ofHours(n); break;
            }
          } else {
            d = Duration.parse(t.toUpperCase(Locale.ROOT));
          }
        } catch (RuntimeException e) {
          return null;
        }
        return d.compareTo(min) >= 0 && d.compareTo(max) <= 0 ? d : null;
      }

      @Override
      public String expectedForm() {
        return "a duration from " + format(min) + " to " + format(max) + " such as 250ms, 2s, 5m or PT2S";
      }
    };
  }

  /** A byte count such as {@code 4194304}, {@code 512KiB} or {@code 4MiB}, within {@code [min, max]}. */
  static ValueParser<Long> byteSize(long min, long max) {
    Pattern size = Pattern.compile("(\\d+)\\s*(b|kib|kb|mib|mb|gib|gb)?");
    return new ValueParser<>() {
      @Override
      public Long parse(String text) {
        Matcher m = size.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
          return null;
        }
        try {
          long n = Long.parseLong(m.group(1));
          String unit = m.group(2) == null ? "b" : m.group(2);
          long factor = unit.startsWith("k") ? 1L << 10 : unit.startsWith("m") ? 1L << 20 : unit.startsWith("g") ? 1L << 30 : 1;
          long v = Math.multiplyExact(n, factor);
          return v >= min && v <= max ? v : null;
        } catch (ArithmeticException | NumberFormatException e) {
          return null;
        }
      }

      @Override
      public String expectedForm() {
        return "a size from " + min + " to " + max + " bytes such as 4194304, 512KiB or 4MiB";
      }
    };
  }

  /** A comma-separated list of five-character SQLSTATE codes, e.g. {@code 40001,40P01}. */
  static ValueParser<java.util.Set<String>> sqlStates() {
    Pattern code = Pattern.compile("[0-9A-Z]{5}");
    return new ValueParser<>() {
      @Override
      public java.util.Set<String> parse(String text) {
        java.util.Set<String> states = new java.util.LinkedHashSet<>();
        for (String part : text.split(",")) {
          String s = part.trim().toUpperCase(Locale.ROOT);
          if (s.isEmpty()) {
            continue;
          }
          if (!code.matcher(s).matches()) {
            return null;
          }
          states.add(s);
        }
        return java.util.Collections.unmodifiableSet(states);
      }

      @Override
      public String expectedForm() {
        return "a comma-separated list of five-character SQLSTATE codes such as 40001,40P01 (may be empty)";
      }
    };
  }

  /** One of {@code choices} (any case), returned lower-cased. */
  static ValueParser<String> oneOf(String... choices) {
    return new ValueParser<>() {
      @Override
      public String parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (String c : choices) {
          if (c.equals(t)) {
            return c;
          }
        }
        return null;
      }

      @Override
      public String expectedForm() {
        return "one of " + String.join(", ", choices);
      }
    };
  }

  /**
   * A comma-separated set of telemetry names, each usable only when its library is on the class
   * path: {@code micrometer} (io.micrometer.core.instrument.Metrics) and {@code opentelemetry}
   * (io.opentelemetry.api.GlobalOpenTelemetry). Empty for none.
   */
  static ValueParser<java.util.Set<String>> telemetry() {
    java.util.Map<String, String> needs = java.util.Map.of(
        "micrometer", "io.micrometer.core.instrument.Metrics",
        "opentelemetry", "io.opentelemetry.api.GlobalOpenTelemetry");
    return new ValueParser<>() {
      @Override
      public java.util.Set<String> parse(String text) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        for (String part : text.split(",")) {
          String name = part.trim().toLowerCase(Locale.ROOT);
          if (name.isEmpty()) {
            continue;
          }
          String probe = needs.get(name);
          if (probe == null || !onClassPath(probe)) {
            return null;
          }
          names.add(name);
        }
        return java.util.Collections.unmodifiableSet(names);
      }

      private boolean onClassPath(String className) {
        try {
          Class.forName(className, false, ValueParser.class.getClassLoader());
          return true;
        } catch (ClassNotFoundException | LinkageError e) {
          return false;
        }
      }

      @Override
      public String expectedForm() {
        return "empty, or a comma-separated list of micrometer (needs io.micrometer:micrometer-core on the class"
            + " path) and opentelemetry (needs io.opentelemetry:opentelemetry-api)";
      }
    };
  }

  /** Any text (SQL, say); empty for none. */
  static ValueParser<String> text() {
    return new ValueParser<>() {
      @Override
      public String parse(String text) {
        return text.trim();
      }

      @Override
      public String expectedForm() {
        return "any text, or empty for none";
      }
    };
  }

  /** Empty, or {@code etcd://host:port[,host:port...][/prefix]}. */
  static ValueParser<String> coordinator() {
    return new ValueParser<>() {
      @Override
      public String parse(String text) {
        String t = text.trim();
        if (t.isEmpty()) {
          return t;
        }
        try {
          CoordinatorAddress.parse(t);
          return t;
        } catch (IllegalArgumentException e) {
          return null;
        }
      }

      @Override
      public String expectedForm() {
        return CoordinatorAddress.FORM + ", or empty for none";
      }
    };
  }

  /** Empty, or a fully qualified Java class name. */
  static ValueParser<String> className() {
    Pattern name = Pattern.compile("([A-Za-z_$][A-Za-z0-9_$]*)(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");
    return new ValueParser<>() {
      @Override
      public String parse(String text) {
        String t = text.trim();
        return t.isEmpty() || name.matcher(t).matches() ? t : null;
      }

      @Override
      public String expectedForm() {
        return "a fully qualified class name, or empty for the default";
      }
    };
  }

  /** Renders a duration the way {@link #duration} accepts it. */
  static String format(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    if (s % 3600 == 0 && s > 0) {
      return s / 3600 + "h";
    }
    if (s % 60 == 0 && s > 0) {
      return s / 60 + "m";
    }
    return s + "s";
  }
}
