package io.procagent.sampler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Maps a command to its {@code command} label, with at most {@code max} distinct labels: the
 * first {@code max} commands seen keep their own label for the agent's lifetime (so a series
 * never changes meaning and counters stay monotonic); every later command is {@link #OTHER}.
 */
public final class CommandGroups {

  public static final String OTHER = "other";

  private final int max;
  private final Map<String, String> labels = new ConcurrentHashMap<>();
  private final AtomicInteger own = new AtomicInteger();
  private final Map<String, Boolean> folded = new ConcurrentHashMap<>();

  public CommandGroups(int max) {
    this.max = max;
  }

  /** The label for {@code command} ("" is shown as "unknown"). */
  public String label(String command) {
    String c = command == null || command.isEmpty() ? "unknown" : command;
    String l = labels.get(c);
    if (l != null) {
      return l;
    }
    return labels.computeIfAbsent(
        c,
        k -> {
          if (!k.equals(OTHER) && own.incrementAndGet() <= max) {
            return k;
          }
          folded.put(k, Boolean.TRUE);
          return OTHER;
        });
  }

  /** How many distinct commands were folded into {@link #OTHER}. */
  public int foldedCommands() {
    return folded.size();
  }

  /** Cap on distinct labels (besides "other"). */
  public int max() {
    return max;
  }

  /** The base name of an executable path: {@code /usr/bin/sh} gives {@code sh}. */
  public static String baseName(String path) {
    if (path == null) {
      return "";
    }
    int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
    return slash >= 0 ? path.substring(slash + 1) : path;
  }
}
