package io.lsem.jdbc.value;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hides secrets in URLs and messages by what pgjdbc will read, not by raw text: a parameter name
 * is percent-decoded the way pgjdbc decodes it ({@code pass%77ord} is {@code password}), leniently
 * (a malformed escape decodes what it can), and every value whose name reads as a password or
 * passphrase ({@code password}, {@code sslpassword}, …) becomes {@code ***}, as does the password
 * of a {@code user:password@} part. No dependencies: the CLI uses it too.
 */
public final class Redaction {
  /** {@code name=value} pairs anywhere in a text; the name may carry %-escapes. */
  private static final Pattern PAIR = Pattern.compile("([^\\s?&=;,'\"]+)=([^&\\s'\"]*)");
  private static final Pattern USERINFO = Pattern.compile("(//[^/@\\s:]*):[^/@\\s]*@");

  private Redaction() {}

  /** {@code text} (a URL, or a message quoting one) with every password-like value replaced by {@code ***}. */
  public static String redact(String text) {
    if (text == null) {
      return "null";
    }
    Matcher m = PAIR.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String replacement = secret(m.group(1)) ? m.group(1) + "=***" : m.group();
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return USERINFO.matcher(out).replaceAll("$1:***@");
  }

  /** Whether a parameter named {@code rawName} (as written, maybe %-encoded) holds a secret. */
  public static boolean secret(String rawName) {
    String name = decodeLeniently(rawName).toLowerCase(Locale.ROOT);
    return name.contains("password") || name.contains("passphrase") || name.contains("passwd")
        || name.contains("secret");
  }

  /** Percent-decodes {@code s}, keeping a malformed escape as written; {@code +} is a space. */
  static String decodeLeniently(String s) {
    byte[] bytes = new byte[s.length() * 3];
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0
          && hex(s.charAt(i + 2)) >= 0) {
        bytes[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
        i += 2;
      } else if (c == '+') {
        bytes[n++] = ' ';
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(utf8, 0, bytes, n, utf8.length);
        n += utf8.length;
      }
    }
    String decoded = new String(bytes, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    // encoded twice (%2577 → %77 → w) is decoded again, so no layer of escapes hides a name
    return decoded.equals(s) || decoded.indexOf('%') < 0 ? decoded : decodeLeniently(decoded);
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
