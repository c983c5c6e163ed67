package io.lsem.jdbc.config;

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
