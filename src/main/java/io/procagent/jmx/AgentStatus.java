package io.procagent.jmx;

/** What the agent entry point tells {@link AgentMXBean}: the live parts of its state. */
public interface AgentStatus {
  int port();

  String status();
}
