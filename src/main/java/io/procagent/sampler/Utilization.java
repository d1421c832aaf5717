package io.procagent.sampler;

import java.util.List;

/**
 * CPU utilisation over the sampler's last window, as ratios 0..1. NaN until two samples exist.
 *
 * @param process share of the CPUs available to the process
 * @param cpus CPU names, parallel to {@code perCpu}
 * @param perCpu busy share of each CPU
 * @param total busy share of all CPUs together
 * @param windowSeconds length of the window the ratios were computed over
 * @param processCpus the CPUs available to the process that {@code process} is a share of: those
 *     it may run on, or its cgroup's quota if lower (may be a fraction); NaN until known
 */
public record Utilization(
    double process, List<String> cpus, double[] perCpu, double total, double windowSeconds, double processCpus) {

  public static final Utilization NONE =
      new Utilization(Double.NaN, List.of(), new double[0], Double.NaN, Double.NaN, Double.NaN);

  public Utilization {
    cpus = List.copyOf(cpus);
    perCpu = perCpu.clone();
  }

  @Override
  public double[] perCpu() {
    return perCpu.clone();
  }
}
