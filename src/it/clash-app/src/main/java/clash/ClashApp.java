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
    // the standard process_* names in client_java's default registry, as many apps do
    io.prometheus.metrics.instrumentation.jvm.ProcessMetrics.builder().register();
    // its own Byte Buddy, generating a class
    Class<?> generated =
        new net.bytebuddy.ByteBuddy()
            .subclass(Object.class)
            .name("clash.Generated")
            .make()
            .load(ClashApp.class.getClassLoader())
            .getLoaded();
    HTTPServer server = HTTPServer.builder().port(port).buildAndStart();
    SystemInfo si = new SystemInfo(); // JNA-backed OSHI: loads the app's JNA
    int pid = si.getOperatingSystem().getProcessId();
    System.out.println(
        "app ready pid=" + pid + " oshi=" + SystemInfo.class.getPackage().getImplementationVersion()
            + " jna=" + Native.VERSION + " prometheus=" + jarOf(Counter.class)
            + " cpus=" + si.getHardware().getProcessor().getLogicalProcessorCount()
            + " bytebuddy=" + jarOf(net.bytebuddy.ByteBuddy.class) + " generated=" + generated.getName());
    // on "child" from stdin: a child, which procagent's hook must see despite the app's Byte Buddy
    String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in)).readLine();
    if ("child".equals(line)) {
      System.out.println("child exit=" + new ProcessBuilder("sh", "-c", "exit 4").start().waitFor());
    }
    Thread.sleep(Long.parseLong(args[1]));
    server.close();
    System.out.println("app done true");
  }

  private static String jarOf(Class<?> c) throws Exception {
    String path = c.getProtectionDomain().getCodeSource().getLocation().getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
