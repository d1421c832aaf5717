import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * What the JIT compiled, from a JFR recording with jdk.Compilation at threshold 0 (bench/jit.sh):
 * milliseconds of C1 and C2 compilation over the whole run and from a given instant, by package
 * (the first two parts of the class name) and by method.
 * Usage: java bench/JitReport.java RECORDING.jfr FROM_EPOCH_MS [TOP]
 */
public class JitReport {
  public static void main(String[] args) throws Exception {
    Instant from = Instant.ofEpochMilli(Long.parseLong(args[1]));
    int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    Map<String, double[]> byPackage = new TreeMap<>();
    Map<String, double[]> byMethod = new HashMap<>();
    double[] total = new double[4]; // c1 run, c2 run, c1 window, c2 window
    for (RecordedEvent e : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (!e.getEventType().getName().equals("jdk.Compilation")) {
        continue;
      }
      double ms = e.getDuration().toNanos() / 1e6;
      int c = e.getString("compiler").equals("c2") ? 1 : 0;
      String type = e.getValue("method.type.name");
      String[] parts = type.replace('/', '.').split("\\.");
      String pkg = parts.length > 2 ? parts[0] + "." + parts[1] : type;
      boolean window = !e.getStartTime().isBefore(from);
      total[c] += ms;
      byPackage.computeIfAbsent(pkg, k -> new double[4])[c] += ms;
      if (window) {
        total[2 + c] += ms;
        byPackage.get(pkg)[2 + c] += ms;
        String m = (c == 1 ? "c2 " : "c1 ") + type.replace('/', '.') + "." + e.getValue("method.name");
        double[] v = byMethod.computeIfAbsent(m, k -> new double[2]);
        v[0] += ms;
        v[1]++;
      }
    }
    System.out.printf("compilation ms, whole run: C1 %.0f, C2 %.0f; from the window's start: C1 %.0f, C2 %.0f%n",
        total[0], total[1], total[2], total[3]);
    System.out.println("by package (whole run C1 / C2, window C1 / C2):");
    byPackage.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[1] + b.getValue()[0], a.getValue()[1] + a.getValue()[0]))
        .limit(top)
        .forEach(e -> System.out.printf("  %7.1f %7.1f %7.1f %7.1f  %s%n", e.getValue()[0], e.getValue()[1], e.getValue()[2], e.getValue()[3], e.getKey()));
    System.out.println("in the window, by method (ms, compilations):");
    byMethod.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .limit(top)
        .forEach(e -> System.out.printf("  %7.1f %3.0f  %s%n", e.getValue()[0], e.getValue()[1], e.getKey()));
  }
}
