package io.procagent.source;

import java.io.IOException;
import java.util.List;

/** Finds every live descendant (children, grandchildren, ...) of one process. */
public interface DescendantSource {

  /**
   * @param rootPid the process whose descendants are wanted (not included in the result)
   * @param withArguments also read each descendant's command line (redacted)
   * @throws IOException when the process table cannot be read at all
   */
  List<ChildProcess> descendants(long rootPid, boolean withArguments) throws IOException;
}
