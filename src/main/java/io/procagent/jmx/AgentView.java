package io.procagent.jmx;

import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import java.util.Map;

/** {@link AgentMXBean} over the agent's configuration and live status. */
final class AgentView implements AgentMXBean {

  private final String version;
  private final AgentConfig config;
  private final AgentStatus status;
  private final Errors errors;

  AgentView(String version, AgentConfig config, AgentStatus status, Errors errors) {
    this.version = version;
    this.config = config;
    this.status = status;
    this.errors = errors;
  }

  @Override
  public String getVersion() {
    return version;
  }

  @Override
  public String getEndpoint() {
    int port = status.port();
    if (port < 0) {
      return "";
    }
    String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
    return "http://" + host + ":" + port + "/metrics";
  }

  @Override
  public String getHost() {
    return config.host();
  }

  @Override
  public int getPort() {
    return status.port();
  }

  @Override
  public String getStatus() {
    return status.status();
  }

  @Override
  public String getConfigSource() {
    return config.source();
  }

  @Override
  public double getSamplingIntervalSeconds() {
    return config.samplingInterval().toMillis() / 1000.0;
  }

  @Override
  public Map<String, Long> getCollectorErrors() {
    return errors.snapshot();
  }

  @Override
  public boolean isTcpNoDelay() {
    return io.procagent.prometheus.MetricsServer.tcpNoDelay();
  }

  @Override
  public String getLastError() {
    return errors.last();
  }
}
