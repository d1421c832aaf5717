package io.procagent.config;

import java.time.Duration;

/**
 * Everything procagent is told, after defaults, config file and agent arguments are merged.
 *
 * @param host address the HTTP server binds; {@code 0.0.0.0} means every IPv4 interface
 * @param port TCP port, {@code 0} picks a free one
 * @param basicAuth credentials scrapes must present, or null for none
 * @param tls the endpoint's TLS settings, or null for plain HTTP
 * @param httpLimits request timeout and CPU limit of the endpoint
 * @param source where this configuration came from, for the log and JMX
 * @param samplingInterval how often the sampler reads the OS for utilisation windows
 * @param cacheTtl how long a snapshot serves scrapes and JMX before the OS is read again
 * @param processCollector export {@code process_*}
 * @param systemCollector export {@code system_*}
 * @param jvmCollector export client_java's JVM metrics
 * @param jvmThreadStates also export per-state thread counts and deadlocks (a thread dump per
 *     scrape: costly on big JVMs, off by default)
 * @param children child-process scanning and launch recording
 * @param targets the daemon's targets (ignored by the agent, which watches its own JVM)
 * @param jmxEnabled register the {@code procagent:*} MXBeans
 * @param jmxDelay wait this long after start before touching the platform MBean server (for
 *     application servers that install their own MBean server builder)
 * @param jitC2 let C2 compile procagent's own code; false (the default) adds a compiler directive
 *     that leaves it to C1 (see {@code CompilerDirective})
 */
public record AgentConfig(
    String host,
    int port,
    BasicAuthConfig basicAuth,
    TlsConfig tls,
    HttpLimits httpLimits,
    String source,
    Duration samplingInterval,
    Duration cacheTtl,
    boolean processCollector,
    boolean systemCollector,
    boolean jvmCollector,
    boolean jvmThreadStates,
    ChildrenConfig children,
    java.util.List<TargetConfig> targets,
    boolean jmxEnabled,
    Duration jmxDelay,
    boolean jitC2) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 9494;

  public static AgentConfig defaults() {
    return new AgentConfig(
        DEFAULT_HOST,
        DEFAULT_PORT,
        null,
        null,
        HttpLimits.DEFAULTS,
        "defaults",
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        true,
        true,
        true,
        false,
        ChildrenConfig.DEFAULTS,
        java.util.List.of(),
        true,
        Duration.ZERO,
        false);
  }

  public AgentConfig withTargets(java.util.List<TargetConfig> newTargets) {
    return new AgentConfig(
        host, port, basicAuth, tls, httpLimits, source, samplingInterval, cacheTtl, processCollector, systemCollector,
        jvmCollector, jvmThreadStates, children, java.util.List.copyOf(newTargets), jmxEnabled, jmxDelay, jitC2);
  }

  AgentConfig withHttp(String newHost, int newPort, String newSource) {
    return new AgentConfig(
        newHost,
        newPort,
        basicAuth,
        tls,
        httpLimits,
        newSource,
        samplingInterval,
        cacheTtl,
        processCollector,
        systemCollector,
        jvmCollector,
        jvmThreadStates,
        children,
        targets,
        jmxEnabled,
        jmxDelay,
        jitC2);
  }
}
