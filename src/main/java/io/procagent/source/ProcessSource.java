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
}
