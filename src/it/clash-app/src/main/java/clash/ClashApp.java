package clash;

import com.sun.jna.Native;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import oshi.SystemInfo;

/** Uses its own client_java (default registry, own HTTP server), OSHI and JNA, then waits. */
public final class ClashApp {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    Counter requests =
        Counter.builder().name("clash_requests_total").help("the app's own counter").register();
    requests.inc(7);
    HTTPServer server = HTTPServer.builder().port(port).buildAndStart();
    SystemInfo si = new SystemInfo(); // JNA-backed OSHI: loads the app's JNA
    int pid = si.getOperatingSystem().getProcessId();
    System.out.println(
        "app ready pid=" + pid + " oshi=" + SystemInfo.class.getPackage().getImplementationVersion()
            + " jna=" + Native.VERSION + " prometheus=" + jarOf(Counter.class)
            + " cpus=" + si.getHardware().getProcessor().getLogicalProcessorCount());
    Thread.sleep(Long.parseLong(args[1]));
    server.close();
    System.out.println("app done true");
  }

  private static String jarOf(Class<?> c) throws Exception {
    String path = c.getProtectionDomain().getCodeSource().getLocation().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
