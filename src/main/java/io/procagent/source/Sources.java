package io.procagent.source;

import io.procagent.source.linux.LinuxDescendantSource;
import io.procagent.source.linux.LinuxProcessSource;
import io.procagent.source.linux.LinuxSystemSource;
import io.procagent.source.oshi.OshiDescendantSource;
import io.procagent.source.oshi.OshiProcessSource;
import io.procagent.source.oshi.OshiSystemSource;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Picks the sources for this OS: direct /proc parsers on Linux, OSHI elsewhere.
 *
 * <p>The procfs mount is {@code /proc} unless {@code -Dprocagent.procfs=PATH} names another,
 * like node_exporter's {@code --path.procfs} (a daemon in a container reading the host's /proc).
 */
public final class Sources {

  private static final Path PROC = Path.of(System.getProperty("procagent.procfs", "/proc"));

  private Sources() {}

  public static boolean linux() {
    return System.getProperty("os.name", "").startsWith("Linux") && Files.isDirectory(PROC);
  }

  public static ProcessSource process(long pid) {
    return linux() ? new LinuxProcessSource(PROC, pid) : new OshiProcessSource(pid);
  }

  public static DescendantSource descendants() {
    return linux() ? new LinuxDescendantSource(PROC) : new OshiDescendantSource();
  }

  public static SystemSource system() {
    return linux() ? new LinuxSystemSource(PROC) : new OshiSystemSource();
  }
}
