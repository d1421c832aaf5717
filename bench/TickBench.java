import io.procagent.sampler.CommandGroups;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import io.procagent.source.Sources;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CPU of one whole sampling round (Sampler.tick(): process CPU, host CPU, descendant scan), as
 * the agent builds it, with N live sleep children of this JVM. A round runs every 5 s in the
 * agent, so its code stays cold (interpreted or C1) for many minutes: run this with -Xint for
 * the cold figure and without for the warm one. Usage (after mvn package):
 *   java [-Xint] -cp target/classes bench/TickBench.java CHILDREN [ROUNDS] [PAUSE_MS]
 * Prints the median and p90 CPU per round (thread CPU time) and the bytes it allocates.
 */
public class TickBench {
  public static void main(String[] args) throws Exception {
    int n = Integer.parseInt(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    long pause = args.length > 2 ? Long.parseLong(args[2]) : 20;
    long self = ProcessHandle.current().pid();
    Sampler sampler = new Sampler(Sources.process(self), Sources.system(), Duration.ofSeconds(1),
        Runtime.getRuntime()::availableProcessors, new Errors());
    sampler.scanChildren(Sources.descendants(), self, new CommandGroups(20), 200, false);
    var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    long me = Thread.currentThread().getId();
    List<Process> kids = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        kids.add(new ProcessBuilder("sleep", "600").start());
      }
      Thread.sleep(500);
      for (int i = 0; i < 10; i++) {
        sampler.tick();
      }
      double[] ms = new double[rounds];
      long bytes0 = threads.getThreadAllocatedBytes(me);
      for (int i = 0; i < rounds; i++) {
        Thread.sleep(pause);
        long c = threads.getCurrentThreadCpuTime();
        sampler.tick();
        ms[i] = (threads.getCurrentThreadCpuTime() - c) / 1e6;
      }
      long bytes = (threads.getThreadAllocatedBytes(me) - bytes0) / rounds;
      Arrays.sort(ms);
      System.out.printf("children=%d found=%d cpu_per_round_p50=%.3fms p90=%.3fms allocated_per_round=%dB%n",
          n, sampler.children().liveTotal(), ms[rounds / 2], ms[(int) (rounds * 0.9)], bytes);
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
