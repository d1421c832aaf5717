package io.procagent.jmx;

import java.util.Map;

/** {@code procagent:type=Agent}: what procagent itself is doing. Read-only. */
public interface AgentMXBean {
  String getVersion();

  /** Where the HTTP server listens, e.g. {@code http://0.0.0.0:9494/metrics}, or "". */
  String getEndpoint();

  String getHost();

  /** The bound port, -1 while not listening. */
  int getPort();

  /** "serving", or why not (e.g. port in use, retrying). */
  String getStatus();

  /** Config file path, "agent arguments", "command line" (the daemon's flags) or "defaults". */
  String getConfigSource();

  double getSamplingIntervalSeconds();

  Map<String, Long> getCollectorErrors();

  /** Whether procagent's connections get TCP_NODELAY, so keep-alive scrapes do not wait 40 ms. */
  boolean isTcpNoDelay();

  String getLastError();
}
