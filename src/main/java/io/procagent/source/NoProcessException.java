package io.procagent.source;

import java.io.IOException;

/** No process matches (a daemon target that is down): an expected state, not a read error. */
public class NoProcessException extends IOException {
  private static final long serialVersionUID = 1L;

  public NoProcessException(String message) {
    super(message);
  }
}
