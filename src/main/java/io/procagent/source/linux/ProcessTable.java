package io.procagent.source.linux;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One pass over /proc: every process's {@code stat}, read once as bytes, with its parent. Used
 * to find a process's descendants and to match the daemon's targets; fields beyond the parent
 * are parsed only for the processes that turn out to matter.
 */
public final class ProcessTable {

  private final Path proc;
  private final long[] pids;
  private final long[] ppids;
  private final byte[][] stats;
  private final int size;
  private final Map<Long, Integer> index;
  private Map<Long, List<Integer>> byParent;

  private ProcessTable(Path proc, long[] pids, long[] ppids, byte[][] stats, int size) {
    this.proc = proc;
    this.pids = pids;
    this.ppids = ppids;
    this.stats = stats;
    this.size = size;
    this.index = new HashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      index.put(pids[i], i);
    }
  }

  /** Lists {@code proc} and reads every process's stat. Processes that exit meanwhile are left out. */
  public static ProcessTable scan(Path proc) throws IOException {
    return scan(proc, new File(proc.toString()).list());
  }

  /** {@link #scan(Path)} over a listing of {@code proc} the caller already made (null: failed). */
  static ProcessTable scan(Path proc, String[] names) throws IOException {
    if (names == null) {
      throw new IOException("cannot list " + proc);
    }
    int n = 0;
    long[] pids = new long[names.length];
    long[] ppids = new long[names.length];
    byte[][] stats = new byte[names.length][];
    byte[] buf = new byte[4096];
    String prefix = proc + "/";
    for (String name : names) {
      long pid = ProcParsers.parseLong(name, 0, name.length());
      if (pid <= 0) {
        continue;
      }
      int len = read(prefix + name + "/stat", buf);
      long ppid = len > 0 ? ProcParsers.ppidOf(buf, len) : ProcParsers.UNKNOWN;
      if (ppid >= 0) {
        pids[n] = pid;
        ppids[n] = ppid;
        stats[n] = Arrays.copyOf(buf, len);
        n++;
      }
    }
    return new ProcessTable(proc, pids, ppids, stats, n);
  }

  /** Reads a whole /proc file into {@code buf[0]}, growing it; -1 when gone or unreadable. */
  static int readWhole(String path, byte[][] buf) {
    try {
      return readWholeOrThrow(path, buf);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * {@link #readWhole} for a caller that reports why: a missing file is a process that is gone
   * (or /proc not mounted), any other failure as the JDK gives it.
   */
  static int readWholeOrThrow(String path, byte[][] buf) throws IOException {
    try (FileInputStream in = new FileInputStream(path)) {
      int total = 0;
      int r;
      while ((r = in.read(buf[0], total, buf[0].length - total)) > 0) {
        total += r;
        if (total == buf[0].length) {
          buf[0] = Arrays.copyOf(buf[0], total * 2);
        }
      }
      return total;
    } catch (FileNotFoundException e) {
      if (!new File(path).exists()) {
        throw new NoSuchFileException(path, null, "process is gone or /proc not mounted");
      }
      throw e;
    }
  }

  /**
   * Reads a small /proc file of one record (a process's {@code stat}) into {@code buf}; -1 when it
   * is gone or unreadable. The kernel makes such a file's text whole at a read and gives as much
   * of it as asked for, so a read that gives less than asked, ending the line, has given it all:
   * the read that would return 0 to say so is not made (one system call in five). Not for files
   * of many records ({@code maps}, say), which the kernel gives a page of records at a time.
   */
  static int read(String path, byte[] buf) {
    try (FileInputStream in = new FileInputStream(path)) {
      int total = 0;
      int r;
      while (total < buf.length && (r = in.read(buf, total, buf.length - total)) > 0) {
        boolean shortRead = r < buf.length - total;
        total += r;
        if (shortRead && buf[total - 1] == '\n') {
          break; // all of it
        }
      }
      return total;
    } catch (IOException e) {
      return -1;
    }
  }

  public int size() {
    return size;
  }

  public boolean contains(long pid) {
    return index.containsKey(pid);
  }

  /** Every pid in the table, in /proc's order. */
  public long[] pids() {
    return Arrays.copyOf(pids, size);
  }

  /** The process's stat line as read; null when the pid is not in the table. */
  byte[] statBytes(long pid) {
    Integer i = index.get(pid);
    return i == null ? null : stats[i];
  }

  /** The process's stat, parsed; null when the pid is not in the table. */
  ProcParsers.Stat stat(long pid) {
    Integer i = index.get(pid);
    return i == null ? null : ProcParsers.parseStat(stats[i], stats[i].length);
  }

  /** The kernel's name of the executable ({@code comm}); null when the pid is not in the table. */
  public String comm(long pid) {
    ProcParsers.Stat s = stat(pid);
    return s == null ? null : s.comm();
  }

  /** Start time in clock ticks since boot (with the pid, a process's identity); -1 if unknown. */
  public long startTicks(long pid) {
    ProcParsers.Stat s = stat(pid);
    return s == null ? -1 : s.startTicks();
  }

  /** The command line, arguments joined by spaces; "" for kernel threads or when unreadable. */
  public String cmdline(long pid) {
    try {
      byte[] raw = Files.readAllBytes(proc.resolve(Long.toString(pid)).resolve("cmdline"));
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          raw[i] = ' ';
        }
      }
      return new String(raw, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The real uid owning the process (the owner of /proc/PID); -1 when it is gone. */
  public long uid(long pid) {
    try {
      Object uid = Files.getAttribute(proc.resolve(Long.toString(pid)), "unix:uid");
      return ((Number) uid).longValue();
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return -1;
    }
  }

  /**
   * Every descendant of {@code roots} (children, grandchildren, ...), breadth first, without
   * the roots themselves.
   */
  public List<Long> descendantsOf(Collection<Long> roots) {
    if (byParent == null) {
      byParent = new HashMap<>(size * 2);
      for (int i = 0; i < size; i++) {
        byParent.computeIfAbsent(ppids[i], k -> new ArrayList<>(2)).add(i);
      }
    }
    Set<Long> seen = new HashSet<>(roots);
    List<Long> queue = new ArrayList<>(roots);
    List<Long> out = new ArrayList<>();
    for (int q = 0; q < queue.size(); q++) {
      List<Integer> kids = byParent.get(queue.get(q));
      if (kids == null) {
        continue;
      }
      for (int i : kids) {
        if (seen.add(pids[i])) {
          queue.add(pids[i]);
          out.add(pids[i]);
        }
      }
    }
    return out;
  }
}
