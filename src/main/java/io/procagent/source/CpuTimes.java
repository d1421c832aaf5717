package io.procagent.source;

/**
 * Seconds one CPU (or all, {@code cpu = "total"}) spent in each of node_exporter's eight modes
 * since boot, and of those in user and nice, the time it ran guests' virtual CPUs ({@code guest},
 * {@code guestNice}: a hypervisor's). NaN where the kernel does not give a mode.
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
    double steal,
    double guest,
    double guestNice) {

  /** The eight modes, without guest time (older kernels, other OSes, tests). */
  public CpuTimes(
      String cpu, double user, double nice, double system, double idle, double iowait, double irq, double softirq,
      double steal) {
    this(cpu, user, nice, system, idle, iowait, irq, softirq, steal, Double.NaN, Double.NaN);
  }

  /** Mode names in the order of {@link #values()}: node_exporter's labels. */
  public static final String[] MODES = {
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
  };

  /** The eight modes in {@link #MODES} order. */
  public double[] values() {
    return new double[] {user, nice, system, idle, iowait, irq, softirq, steal};
  }

  /** The eight modes in {@link #MODES} order, then guest and guest nice if {@code v} has them. */
  public static CpuTimes of(String cpu, double[] v) {
    return new CpuTimes(
        cpu, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v.length > 8 ? v[8] : Double.NaN,
        v.length > 9 ? v[9] : Double.NaN);
  }

  /** These times with the eight modes replaced by {@code v} ({@link #MODES} order), guest time kept. */
  public CpuTimes withModes(double[] v) {
    return new CpuTimes(cpu, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], guest, guestNice);
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
