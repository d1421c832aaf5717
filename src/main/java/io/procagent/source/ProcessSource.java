package io.procagent.source;

import java.io.IOException;

/** Reads one process. Implementations are cheap to call and safe from one thread at a time. */
public interface ProcessSource {

  /**
   * Reads the process now.
   *
   * @throws IOException when the process is gone or cannot be read at all
   */
  ProcessSnapshot read() throws IOException;

  /**
   * The process's user + system CPU seconds now: all a sampling round needs, which
   * implementations may read far more cheaply than a whole {@link #read}.
   *
   * @throws IOException when the process is gone or cannot be read
   */
  default Cpu cpu() throws IOException {
    ProcessSnapshot p = read();
    return new Cpu(p.cpuSeconds(), p.readAtNanos());
  }

  /** User + system CPU seconds read at {@code readAtNanos} ({@link System#nanoTime}). */
  record Cpu(double seconds, long readAtNanos) {}
}
