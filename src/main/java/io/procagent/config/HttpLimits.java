package io.procagent.config;

import java.time.Duration;

/**
 * What the endpoint may cost the host: {@code http.request_timeout} and {@code http.cpu_limit}.
 *
 * @param requestTimeout the longest a request may take from its first byte (reading
 *     the request, waiting, writing the response); a slower or stalled client is cut off
 * @param cpuLimit CPU seconds per second the endpoint may spend on scrapes on average (0.05 = 5%
 *     of one CPU); 0 means no limit. Beyond it scrapes wait: slower, never failed
 */
public record HttpLimits(Duration requestTimeout, double cpuLimit) {

  public static final HttpLimits DEFAULTS = new HttpLimits(Duration.ofSeconds(10), 0.05);
}
