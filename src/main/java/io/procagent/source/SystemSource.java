package io.procagent.source;

import java.io.IOException;

/** Reads host-wide CPU state. */
public interface SystemSource {

  SystemSnapshot read() throws IOException;

  /** Host identity; implementations read it once and cache it. */
  SystemIdentity identity() throws IOException;
}
