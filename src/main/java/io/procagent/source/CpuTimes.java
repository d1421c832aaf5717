package io.procagent.source;

/**
 * Seconds one CPU (or all, {@code cpu = "total"}) spent in each of node_exporter's eight modes
 * since boot. NaN where the kernel does not give a mode.
 */
public record CpuTimes(
    String cpu,
    double user,
    double nice,
    double system,
    double idle,
    double iowait,
    double irq,
    double softirq,
    double steal) {

  /** Mode names in the order of {@link #values()}: node_exporter's labels. */
  public static final String[] MODES = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
  };

  /** The eight modes in {@link #MODES} order. */
  public double[] values() {
    return new double[] {user, nice, system, idle, iowait, irq, softirq, steal};
  }

  public static CpuTimes of(String cpu, double[] v) {
    return new CpuTimes(cpu, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
  }

  /** Everything but idle and iowait: the work done. */
  public double busy() {
    return user + nice + system + nz(irq) + nz(softirq) + nz(steal);
  }

  public double all() {
    return busy() + idle + nz(iowait);
  }

  /**
   * {@code seconds} to the microsecond (NaN stays NaN): for sums of CPU times, which the kernel
   * gives in ticks or microseconds, but whose sum in doubles may lie a rounding error off the
   * decimal (0.1 + 0.2 is 0.30000000000000004).
   */
  public static double micros(double seconds) {
    return Double.isNaN(seconds) ? seconds : Math.round(seconds * 1e6) / 1e6;
  }

  private static double nz(double v) {
    return Double.isNaN(v) ? 0 : v;
  }
}
