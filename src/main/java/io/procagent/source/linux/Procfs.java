package io.procagent.source.linux;

import io.procagent.source.ProcessSnapshot;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Facts about one procfs mount that every source needs and that never change while it runs:
 * boot time, page size, and whether it reports open descriptors as the size of {@code
 * /proc/PID/fd}. Probed once per mount, shared by every source reading it (the daemon makes a
 * process source per matched pid).
 */
final class Procfs {

  private static final Map<Path, Procfs> MOUNTS = new ConcurrentHashMap<>();

  private final Path root;
  private final long pageSize;
  private final boolean fdSizeIsCount;
  private volatile double bootTime = Double.NaN;
  private volatile Boolean ownPidNamespace;

  private Procfs(Path root) {
    this.root = root;
    this.pageSize = pageSize(root);
    this.fdSizeIsCount = fdSizeIsCount(root);
  }

  static Procfs of(Path root) {
    return MOUNTS.computeIfAbsent(root, Procfs::new);
  }

  Path root() {
    return root;
  }

  long pageSize() {
    return pageSize;
  }

  /**
   * Whether this mount shows our own pid namespace (its {@code self} is our pid): only then
   * do its pids and what /proc/loadavg says of the reader's namespace agree.
   */
  boolean ownPidNamespace() {
    Boolean own = ownPidNamespace;
    if (own == null) {
      try {
        own = Files.readSymbolicLink(root.resolve("self")).toString().equals(Long.toString(ProcessHandle.current().pid()));
      } catch (IOException | UnsupportedOperationException | SecurityException e) {
        own = false;
      }
      ownPidNamespace = own;
    }
    return own;
  }

  /** Boot time, Unix epoch seconds (btime of /proc/stat); NaN when unreadable. */
  double bootTime() {
    double b = bootTime;
    if (Double.isNaN(b)) {
      try {
        byte[][] buf = {new byte[4096]};
        int len = ProcessTable.readWholeOrThrow(root.resolve("stat").toString(), buf);
        long btime = ProcParsers.parseProcStat(buf[0], len).btime();
        b = btime < 0 ? Double.NaN : btime;
        bootTime = b;
      } catch (IOException e) {
        return Double.NaN;
      }
    }
    return b;
  }

  /**
   * Open descriptors of a process, given its {@code /proc/PID/fd} (a path its caller keeps).
   * Linux 6.2+ reports the count as the size of that directory: one stat instead of listing it;
   * older kernels say 0 there. UNKNOWN for another user's process or one that exited.
   */
  long countFds(String fdDir) {
    return count(fdDir, fdSizeIsCount);
  }

  /**
   * Open descriptors by listing {@code /proc/PID/fd} only: UNKNOWN wherever the listing is
   * denied, even where the kernel would tell the count through the directory's size.
   */
  long listFds(String dir) {
    return count(dir + "/fd", false);
  }

  private static long count(String fdDir, boolean bySize) {
    File fd = new File(fdDir);
    try {
      if (bySize) {
        long size = fd.length(); // one stat, no attribute objects; 0 when denied or gone
        if (size > 0) {
          return size;
        }
      }
      String[] list = fd.list();
      return list == null ? ProcessSnapshot.UNKNOWN : list.length;
    } catch (SecurityException e) {
      return ProcessSnapshot.UNKNOWN;
    }
  }

  /** Whether this procfs reports a process's open descriptors as the size of its fd dir. */
  static boolean fdSizeIsCount(Path proc) {
    try {
      String self = proc + "/self/fd";
      long size = Files.size(Path.of(self));
      String[] list = new File(self).list();
      // listing opens one more descriptor of its own
      return size > 0 && list != null && (size == list.length || size == list.length - 1);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The kernel page size, from the first mapping of our own smaps; 4096 if unreadable. */
  static long pageSize(Path proc) {
    try (var lines = Files.lines(proc.resolve("self/smaps"))) {
      return lines
          .filter(l -> l.startsWith("KernelPageSize:"))
          .findFirst()
          .map(l -> ProcParsers.firstLong(l, "KernelPageSize:".length(), l.length() - 3) * 1024)
          .filter(v -> v > 0)
          .orElse(4096L);
    } catch (IOException | java.io.UncheckedIOException e) {
      return 4096;
    }
  }
}
