package io.procagent.source;

import io.procagent.source.linux.LinuxProcessSource;
import io.procagent.source.linux.LinuxSystemSource;
import io.procagent.source.oshi.OshiProcessSource;
import io.procagent.source.oshi.OshiSystemSource;
import java.nio.file.Files;
import java.nio.file.Path;

/** Picks the sources for this OS: direct /proc parsers on Linux, OSHI elsewhere. */
public final class Sources {

  private static final Path PROC = Path.of("/proc");

  private Sources() {}

  public static boolean linux() {
    return System.getProperty("os.name", "").startsWith("Linux") && Files.isReadable(PROC.resolve("stat"));
  }

  public static ProcessSource process(long pid) {
    return linux() ? new LinuxProcessSource(PROC, pid) : new OshiProcessSource(pid);
  }

  public static SystemSource system() {
    return linux() ? new LinuxSystemSource(PROC) : new OshiSystemSource();
  }
}
