import io.procagent.source.linux.LinuxDescendantSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cost of one descendant scan (LinuxDescendantSource, what the sampler runs every round) with
 * 0, 100 and 1,000 live children of this JVM. Usage (after mvn package):
 *   java -cp target/classes bench/ScanBench.java 0 100 1000
 * Prints the median and p90 wall time and the CPU per scan over 50 scans after 20 warm-up scans.
 */
public class ScanBench {
  public static void main(String[] args) throws Exception {
    long self = ProcessHandle.current().pid();
    LinuxDescendantSource source = new LinuxDescendantSource(Path.of("/proc"));
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    for (String a : args) {
      int n = Integer.parseInt(a);
      List<Process> kids = new ArrayList<>();
      try {
        for (int i = 0; i < n; i++) {
          kids.add(new ProcessBuilder("sleep", "600").start());
        }
        Thread.sleep(500);
        int procs = new java.io.File("/proc").list((d, name) -> name.chars().allMatch(Character::isDigit)).length;
        for (int i = 0; i < 20; i++) {
          source.descendants(self, false);
        }
        double[] ms = new double[50];
        long cpu0 = threads.getCurrentThreadCpuTime();
        int found = 0;
        for (int i = 0; i < ms.length; i++) {
          long t = System.nanoTime();
          found = source.descendants(self, false).size();
          ms[i] = (System.nanoTime() - t) / 1e6;
        }
        double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / ms.length;
        Arrays.sort(ms);
        System.out.printf("children=%d found=%d processes_on_host=%d scan_p50=%.2fms scan_p90=%.2fms cpu_per_scan=%.2fms%n",
            n, found, procs, ms[ms.length / 2], ms[(int) (ms.length * 0.9)], cpuMs);
      } finally {
        for (Process p : kids) {
          p.destroy();
        }
        for (Process p : kids) {
          p.waitFor();
        }
      }
    }
  }
}
