package io.procagent.it;

import java.lang.management.ManagementFactory;

/** A child that burns CPU until its whole process has used the given milliseconds, then exits. */
public final class Burn {

  private Burn() {}

  public static void main(String[] args) {
    long target = Long.parseLong(args[0]) * 1_000_000L;
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double x = 0;
    while (os.getProcessCpuTime() < target) {
      for (int i = 0; i < 100_000; i++) {
        x += Math.sqrt(i);
      }
    }
    System.out.println("cpu=" + os.getProcessCpuTime() / 1e9 + " " + (x > 0));
  }
}
