package io.procagent.agent;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Properties;

/**
 * A small file per JVM running procagent, {@code /tmp/.procagent-UID/PID}, so that {@code
 * procagent list} and {@code procagent attach} can tell where it serves without touching the
 * JVM. The directory belongs to the user and is private (0700); a directory that is not ours or
 * is a link is never used. Deleted at JVM exit; a stale file (process gone or pid reused) is
 * ignored by readers.
 */
public final class StateFile {

  private StateFile() {}

  public static Path dir(long uid) {
    return Path.of("/tmp", ".procagent-" + uid);
  }

  /** The owner uid of /proc/self: our real uid. -1 when unknown (not Linux). */
  public static long myUid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Writes (or replaces) this JVM's state; returns false when it could not, which is harmless. */
  public static boolean write(Properties state) {
    long uid = myUid();
    if (uid < 0) {
      return false;
    }
    try {
      Path dir = dir(uid);
      if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!safe(dir, uid)) {
        return false;
      }
      String pid = Long.toString(ProcessHandle.current().pid());
      Path file = dir.resolve(pid);
      // not Files.createTempFile: its random name would cost the host a SecureRandom and the
      // security providers (~1 MB of heap, 100 classes); the dir is private, the pid unique
      Path tmp = dir.resolve(pid + ".tmp");
      StringBuilder sb = new StringBuilder();
      for (String k : state.stringPropertyNames()) {
        sb.append(k).append('=').append(state.getProperty(k).replace("\n", " ")).append('\n');
      }
      Files.writeString(
          tmp, sb, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      file.toFile().deleteOnExit();
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean safe(Path dir, long uid) throws IOException {
    return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        && ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == uid
        && PosixFilePermissions.toString(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS)).equals("rwx------");
  }

  /**
   * The state of procagent in {@code pid} as its owner {@code uid} wrote it, if that process
   * still runs and is the one that wrote it (same start time).
   */
  public static Optional<Properties> read(long uid, long pid) {
    Path file = dir(uid).resolve(Long.toString(pid));
    try {
      if (!safe(dir(uid), uid)) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      Optional<ProcessHandle> h = ProcessHandle.of(pid);
      String started = h.flatMap(x -> x.info().startInstant()).map(i -> Long.toString(i.toEpochMilli() / 1000)).orElse("");
      if (h.isEmpty() || !started.equals(p.getProperty("started"))) {
        return Optional.empty(); // stale: that JVM is gone
      }
      return Optional.of(p);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Publishes where this JVM's procagent serves (after every bind attempt), for list and attach.
   *
   * @param mode "agent" or "daemon"
   */
  public static void publish(
      String mode, String version, io.procagent.config.AgentConfig config, io.procagent.prometheus.Endpoint e) {
    Properties state = new Properties();
    state.setProperty("version", version);
    state.setProperty("mode", mode);
    state.setProperty("host", config.host());
    state.setProperty("port", Integer.toString(e.port()));
    state.setProperty("url", e.url());
    state.setProperty("status", e.status());
    state.setProperty("config", config.source());
    state.setProperty("started", startedSecond());
    write(state);
  }

  /** What this JVM writes: its start second, so a reused pid is not mistaken for it. */
  public static String startedSecond() {
    return ProcessHandle.current().info().startInstant().map(i -> Long.toString(i.toEpochMilli() / 1000)).orElse("");
  }
}
