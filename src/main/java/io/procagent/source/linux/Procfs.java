package io.procagent.source.linux;

import io.procagent.source.ProcessSnapshot;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Facts about one procfs mount that every source needs and that never change while it runs:
 * boot time, page size, and whether it reports open descriptors as the size of {@code
 * /proc/PID/fd}. Learned once per mount, shared by every source reading it (the daemon makes a
 * process source per matched pid).
 */
final class Procfs {

  private static final Map<Path, Procfs> MOUNTS = new ConcurrentHashMap<>();

  private final Path root;
  private final long pageSize;
  /**
   * Whether this procfs reports a process's open descriptors as the size of its fd directory
   * (Linux 6.2+; older kernels say 0): TRUE once a listing agreed with the size read just before
   * and after it, FALSE once the size was 0 or {@link #FD_CHECKS} listings disagreed, null
   * before (each count lists then, and checks). Not decided by one probe at start-up: an
   * application opening and closing descriptors meanwhile (starting its children, say) made
   * that probe fail, and every scrape then listed the JVM's descriptors (a String each).
   */
  private volatile Boolean fdSizeIsCount;
  private final AtomicInteger fdChecksLeft = new AtomicInteger(FD_CHECKS);
  static final int FD_CHECKS = 32;
  private volatile double bootTime = Double.NaN;
  private volatile Boolean ownPidNamespace;

  Procfs(Path root) {
    this.root = root;
    this.pageSize = pageSize(root);
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
    return count(fdDir, true);
  }

  /**
   * Open descriptors by listing {@code /proc/PID/fd} only: UNKNOWN wherever the listing is
   * denied, even where the kernel would tell the count through the directory's size.
   */
  long listFds(String dir) {
    return count(dir + "/fd", false);
  }

  private long count(String fdDir, boolean bySize) {
    File fd = new File(fdDir);
    try {
      Boolean sizeIsCount = bySize ? fdSizeIsCount : Boolean.FALSE;
      if (sizeIsCount == Boolean.TRUE) {
        long size = fd.length(); // one stat, no attribute objects; 0 when denied or gone
        if (size > 0) {
          return size;
        }
      }
      long before = sizeIsCount == null ? fd.length() : 0;
      String[] list = fd.list();
      if (list == null) {
        return ProcessSnapshot.UNKNOWN;
      }
      if (sizeIsCount == null) {
        learn(before, fd.length(), list.length);
      }
      return list.length;
    } catch (SecurityException e) {
      return ProcessSnapshot.UNKNOWN;
    }
  }

  /**
   * Decides {@link #fdSizeIsCount} from a listing of {@code listed} names and the directory's
   * size before and after it (a listing of our own fd directory holds its own descriptor too).
   */
  void learn(long before, long after, int listed) {
    if (fdSizeIsCount != null) {
      return; // decided meanwhile, by a count on another thread
    }
    if (before == 0 && after == 0 && listed == 0) {
      return; // an empty directory (a child that closed everything) tells nothing
    }
    if (before == 0 && after == 0) {
      fdSizeIsCount = Boolean.FALSE; // an older kernel
    } else if (before > 0 && before == after && (before == listed || before == listed - 1)) {
      fdSizeIsCount = Boolean.TRUE;
    } else if (fdChecksLeft.decrementAndGet() <= 0) {
      fdSizeIsCount = Boolean.FALSE;
    }
  }

  /** What {@link #learn} decided: TRUE, FALSE, or null while undecided. */
  Boolean fdSizeIsCount() {
    return fdSizeIsCount;
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
