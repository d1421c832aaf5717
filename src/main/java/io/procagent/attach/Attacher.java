package io.procagent.attach;

import io.procagent.agent.StateFile;
import io.procagent.cli.Cli.UsageException;
import io.procagent.config.AgentArgs;
import io.procagent.config.ConfigException;
import java.io.File;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import net.bytebuddy.agent.ByteBuddyAgent;

/**
 * {@code procagent attach PID [AGENT-OPTIONS]}: loads procagent into a running JVM with
 * byte-buddy-agent. Checks first what can be checked from outside (the process exists, runs a
 * JVM, belongs to this user, has no procagent yet; the options and config file are valid), so a
 * mistake is a clear line here instead of a stack trace in the target's stderr; afterwards waits
 * until the endpoint answers and prints its URL, or the reason it does not.
 */
public final class Attacher {

  static final String HELP =
      """
      usage: java -jar procagent.jar attach PID [AGENT-OPTIONS]

      Loads procagent into the running JVM PID, with the same options as after
      -javaagent:procagent.jar= (e.g. 9494, 127.0.0.1:9494, port=0,config=/etc/procagent.yaml),
      waits until its endpoint answers and prints the URL.

      The JVM must belong to the user running this command. JDK 21 and later print
      "WARNING: A Java agent has been loaded dynamically" in the target's output and will
      refuse dynamic agents in a future release: start such JVMs with
      -XX:+EnableDynamicAgentLoading (harmless elsewhere with -XX:+IgnoreUnrecognizedVMOptions),
      or use -javaagent at start instead.
      """;

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final String jar;
  private final PrintStream out;
  private final PrintStream err;

  public Attacher(String jar, PrintStream out, PrintStream err) {
    this.jar = jar;
    this.out = out;
    this.err = err;
  }

  public int run(List<String> args) throws UsageException {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(HELP);
      return 0;
    }
    if (args.isEmpty() || args.size() > 2) {
      throw new UsageException("usage: attach PID [AGENT-OPTIONS] (see attach --help)");
    }
    long pid;
    try {
      pid = Long.parseLong(args.get(0));
    } catch (NumberFormatException e) {
      throw new UsageException("'" + args.get(0) + "' is not a process id");
    }
    String options = args.size() > 1 ? args.get(1) : "";
    try {
      AgentArgs.resolve(options); // the same checks the agent makes, but here and now
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    }
    if (pid == ProcessHandle.current().pid()) {
      throw new UsageException("cannot attach to itself");
    }
    Optional<Jvms.Jvm> jvm = Jvms.of(pid);
    if (ProcessHandle.of(pid).isEmpty()) {
      throw new UsageException("no process " + pid);
    }
    if (jvm.isEmpty()) {
      throw new UsageException("process " + pid + " is not a JVM");
    }
    long me = StateFile.myUid();
    if (jvm.get().uid() != me) {
      throw new UsageException(
          "process " + pid + " belongs to uid " + jvm.get().uid() + ", not to you (uid " + me
              + "); run attach as that user, e.g. sudo -u '#" + jvm.get().uid() + "' java -jar procagent.jar attach " + pid);
    }
    Optional<Properties> running = StateFile.read(me, pid);
    if (running.isPresent()) {
      String status = running.get().getProperty("status", "");
      if (!status.equals("serving") && !status.equals("starting")) {
        err.println("procagent attach: procagent already runs in " + pid + ", but it does not serve: " + status);
        return 1;
      }
      out.println("procagent already runs in " + pid + ": " + url(running.get()) + " (" + status + ")");
      return 0;
    }
    List<String> jvmArgs = jvm.get().args();
    String javaagent = Jvms.javaagentArg(jvmArgs);
    if (!javaagent.isEmpty()) {
      out.println("procagent already runs in " + pid + " (" + javaagent + ")");
      return 0;
    }
    if (jvmArgs.contains("-XX:+DisableAttachMechanism")) {
      err.println("procagent attach: process " + pid + " runs with -XX:+DisableAttachMechanism, which refuses every"
          + " attach; start it with -javaagent:procagent.jar instead");
      return 1;
    }
    try {
      ByteBuddyAgent.attach(new File(jar), Long.toString(pid), options.isEmpty() ? null : options);
    } catch (RuntimeException e) {
      err.println("procagent attach: attaching to " + pid + " failed: " + rootCause(e)
          + (jvmArgs.contains("-XX:-EnableDynamicAgentLoading")
              ? " (it runs with -XX:-EnableDynamicAgentLoading, which refuses agents loaded after start; see attach --help)"
              : " (see attach --help)"));
      return 1;
    }
    return await(me, pid);
  }

  /**
   * What went wrong under byte-buddy-agent's wrappers (a reflective call's target, a runtime
   * exception's cause): the attach API's own exception, which says it.
   */
  private static Throwable rootCause(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 10 && t.getCause() != null && t.getCause() != t; i++) {
      t = t.getCause(); // InvocationTargetException's target is its cause
    }
    return t;
  }

  /** Waits for the agent's state file and a healthy endpoint; prints the URL or why not. */
  private int await(long uid, long pid) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + WAIT.toNanos();
    String lastStatus = "no word from procagent";
    while (System.nanoTime() < deadline) {
      Optional<Properties> state = StateFile.read(uid, pid);
      if (state.isPresent()) {
        Properties p = state.get();
        lastStatus = p.getProperty("status", "");
        int port = Integer.parseInt(p.getProperty("port", "-1"));
        if (port > 0 && healthy(http, p, port)) {
          out.println("procagent attached to " + pid + ", serving " + url(p));
          return 0;
        }
        if (!lastStatus.equals("serving") && !lastStatus.equals("starting")) {
          err.println("procagent attach: attached to " + pid + ", but it does not serve: " + lastStatus);
          return 1;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    err.println("procagent attach: no endpoint in " + pid + " after " + WAIT.toSeconds() + "s (" + lastStatus
        + "); procagent's reason is in that JVM's stderr");
    return 1;
  }

  /**
   * Whether the endpoint answers. Over TLS the probe does not check the certificate: it only
   * asks whether something listens, on this host; a 401 (basic auth) is an answer too.
   */
  private static boolean healthy(HttpClient http, Properties p, int port) {
    String host = p.getProperty("host", "127.0.0.1");
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      host = "127.0.0.1";
    }
    boolean tls = p.getProperty("url", "").startsWith("https:");
    try {
      HttpClient client = tls ? HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(2)).build() : http;
      HttpResponse<Void> r =
          client.send(
              HttpRequest.newBuilder(URI.create((tls ? "https" : "http") + "://" + (host.contains(":") ? "[" + host + "]" : host)
                      + ":" + port + "/-/healthy"))
                  .timeout(Duration.ofSeconds(2))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200 || r.statusCode() == 401;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static javax.net.ssl.SSLContext trustAll() throws java.security.GeneralSecurityException {
    javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
    ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
      @Override
      public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

      @Override
      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    return ctx;
  }

  static String url(Properties p) {
    if (!p.getProperty("url", "").isEmpty()) {
      return p.getProperty("url");
    }
    String host = p.getProperty("host", "");
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + p.getProperty("port") + "/metrics";
  }
}
