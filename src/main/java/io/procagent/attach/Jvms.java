package io.procagent.attach;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What /proc tells about the JVMs on this host, without attaching to any of them. */
public final class Jvms {

  private static final Path PROC = Path.of("/proc");
  private static final List<String> WITH_VALUE =
      List.of("-cp", "-classpath", "--class-path", "-p", "--module-path", "--add-opens", "--add-exports",
          "--add-modules", "--add-reads", "--patch-module", "--limit-modules", "--upgrade-module-path");

  private Jvms() {}

  /** A JVM process. */
  public record Jvm(long pid, long uid, String main, String javaVersion, String javaHome, List<String> args) {}

  /** The owner uid of a process, -1 when it is gone. */
  public static long uid(long pid) {
    try {
      return ((Number) Files.getAttribute(PROC.resolve(Long.toString(pid)), "unix:uid")).longValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The JVM with this pid, if the process exists and runs a JVM (its executable is bin/java or it maps libjvm). */
  public static Optional<Jvm> of(long pid) {
    Path dir = PROC.resolve(Long.toString(pid));
    if (!Files.isDirectory(dir)) {
      return Optional.empty();
    }
    List<String> args = cmdline(dir);
    String exe = readLink(dir.resolve("exe"));
    boolean java = exe.endsWith("/bin/java") || (!args.isEmpty() && args.get(0).endsWith("java")) || mapsLibjvm(dir);
    if (!java) {
      return Optional.empty();
    }
    String home = exe.endsWith("/bin/java") ? exe.substring(0, exe.length() - "/bin/java".length()) : "";
    return Optional.of(new Jvm(pid, uid(pid), main(args), javaVersion(home), home, args));
  }

  /** Every JVM owned by {@code uid}, by pid. */
  public static List<Jvm> of(long uidFilter, boolean anyUser) throws IOException {
    List<Jvm> out = new ArrayList<>();
    try (var dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path d : dirs) {
        long pid;
        try {
          pid = Long.parseLong(d.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (!anyUser && uid(pid) != uidFilter) {
          continue;
        }
        of(pid).ifPresent(out::add);
      }
    }
    out.sort((a, b) -> Long.compare(a.pid(), b.pid()));
    return out;
  }

  static List<String> cmdline(Path dir) {
    try {
      byte[] raw = Files.readAllBytes(dir.resolve("cmdline"));
      List<String> args = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      return args;
    } catch (IOException e) {
      return List.of();
    }
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static boolean mapsLibjvm(Path dir) {
    try (var lines = Files.lines(dir.resolve("maps"))) {
      return lines.anyMatch(l -> l.endsWith("/libjvm.so"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The main class, {@code -jar} file or {@code -m} module of a java command line. */
  static String main(List<String> args) {
    for (int i = 1; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-jar") || a.equals("-m") || a.equals("--module")) {
        return i + 1 < args.size() ? args.get(i + 1) : "";
      }
      if (WITH_VALUE.contains(a)) {
        i++;
        continue;
      }
      if (!a.startsWith("-")) {
        return a;
      }
    }
    return "";
  }

  /** JAVA_VERSION from the JDK's release file. */
  static String javaVersion(String home) {
    if (home.isEmpty()) {
      return "?";
    }
    try {
      for (String line : Files.readAllLines(Path.of(home, "release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          return line.substring("JAVA_VERSION=".length()).replace("\"", "");
        }
      }
    } catch (IOException e) {
      // unknown
    }
    return "?";
  }

  /** The procagent argument on a java command line ({@code -javaagent:...procagent...}), or "". */
  public static String javaagentArg(List<String> args) {
    return args.stream().filter(a -> a.startsWith("-javaagent:") && a.contains("procagent")).findFirst().orElse("");
  }
}
