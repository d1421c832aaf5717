package io.procagent.source;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Hides secrets in command lines before anyone sees them: the value of {@code key=value}
 * arguments and of the argument after a flag, when the key or flag names a password, token,
 * secret, key or credential.
 */
public final class Redaction {

  static final String MASK = "***";
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(pass(word|wd)?|pwd|token|secret|api[-_]?key|private[-_]?key|key|credential|auth).*");

  private Redaction() {}

  /** Joins {@code args} with spaces, each secret value replaced by {@code ***}. */
  public static String redact(List<String> args) {
    StringBuilder out = new StringBuilder();
    boolean maskNext = false;
    for (String a : args) {
      if (out.length() > 0) {
        out.append(' ');
      }
      if (maskNext) {
        out.append(MASK);
        maskNext = false;
        continue;
      }
      int eq = a.indexOf('=');
      if (eq > 0 && SECRET_NAME.matcher(a.substring(0, eq)).matches()) {
        out.append(a, 0, eq + 1).append(MASK);
      } else {
        out.append(a);
        maskNext = a.startsWith("-") && eq < 0 && SECRET_NAME.matcher(a).matches();
      }
    }
    return out.toString();
  }
}
