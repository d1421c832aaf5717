package io.procagent.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One daemon target: the processes matching every given selector (AND), summed.
 *
 * @param name the {@code target} label; letters, digits, {@code _ . -}
 * @param pid a fixed pid, or -1
 * @param pidfile a file holding the pid (re-read every round, so restarts are followed), or null
 * @param comm a regex found in the kernel's executable name ({@code comm}), or null
 * @param cmdline a regex found in the command line (arguments joined by spaces), or null
 * @param user the owning user's name or numeric uid, or null
 * @param children also sum the matched processes' descendants
 */
public record TargetConfig(
    String name, long pid, String pidfile, Pattern comm, Pattern cmdline, String user, boolean children) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

  /** The daemon's own JVM: the embedded default target. */
  public static TargetConfig self() {
    return new TargetConfig("procagent", ProcessHandle.current().pid(), null, null, null, null, false);
  }

  static void checkName(String name) throws ConfigException {
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException(
          "target name '" + name + "' must be 1-64 letters, digits, '_', '.' or '-'");
    }
  }

  static Pattern regex(String kind, String value) throws ConfigException {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new ConfigException(kind + " regex '" + value + "' is invalid: " + e.getDescription());
    }
  }

  /**
   * Parses the command line's {@code NAME=KIND:VALUE[,KIND:VALUE...]}; KIND is pid, pidfile,
   * comm, cmdline or user. (A regex holding a comma belongs in the config file.)
   */
  public static TargetConfig parseFlag(String flag) throws ConfigException {
    int eq = flag.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--target '" + flag + "' is not NAME=SELECTOR (e.g. sleep=comm:^sleep$)");
    }
    String name = flag.substring(0, eq);
    checkName(name);
    long pid = -1;
    String pidfile = null;
    Pattern comm = null;
    Pattern cmdline = null;
    String user = null;
    boolean children = false;
    Set<String> given = new HashSet<>();
    for (String part : flag.substring(eq + 1).split(",", -1)) {
      int colon = part.indexOf(':');
      String kind = colon < 0 ? part : part.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = colon < 0 ? "" : part.substring(colon + 1);
      if (value.isEmpty() && !kind.equals("children")) {
        throw new ConfigException("--target " + name + ": selector '" + part + "' is not KIND:VALUE (kinds: pid, pidfile, comm, cmdline, user, children)");
      }
      if (!given.add(kind)) {
        // every selector must match, so pid:1,pid:2 could never match anything
        throw new ConfigException(
            "--target " + name + ": selector '" + kind + "' given twice (all selectors must match; one target per process set)");
      }
      switch (kind) {
        case "pid" -> pid = pid(name, value);
        case "pidfile" -> pidfile = value;
        case "comm" -> comm = regex("--target " + name + " comm", value);
        case "cmdline" -> cmdline = regex("--target " + name + " cmdline", value);
        case "user" -> user = user(name, value);
        case "children" -> children = true;
        default -> throw new ConfigException(
            "--target " + name + ": unknown selector '" + kind + "' (known: pid, pidfile, comm, cmdline, user, children)");
      }
    }
    return checked(new TargetConfig(name, pid, pidfile, comm, cmdline, user, children));
  }

  static long pid(String name, String value) throws ConfigException {
    try {
      long pid = Long.parseLong(value.trim());
      if (pid > 0) {
        return pid;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new ConfigException("target " + name + ": pid '" + value + "' is not a process id");
  }

  /**
   * A user selector: a uid as it is, a name only if this host knows it (a misspelt name would
   * select nothing, silently, for as long as the daemon runs).
   */
  static String user(String target, String value) throws ConfigException {
    if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return value;
    }
    try {
      FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(value);
    } catch (UserPrincipalNotFoundException e) {
      throw new ConfigException(
          "target " + target + ": user '" + value + "' is not known on this host (a uid selects a user without a name)");
    } catch (IOException | UnsupportedOperationException e) {
      // the host cannot tell: the selector is kept as given
    }
    return value;
  }

  static TargetConfig checked(TargetConfig t) throws ConfigException {
    if (t.pid < 0 && t.pidfile == null && t.comm == null && t.cmdline == null && t.user == null) {
      throw new ConfigException("target " + t.name + " selects nothing: give pid, pidfile, comm, cmdline or user");
    }
    return t;
  }
}
