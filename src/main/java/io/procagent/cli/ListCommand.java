package io.procagent.cli;

import io.procagent.agent.StateFile;
import io.procagent.attach.Jvms;
import io.procagent.cli.Cli.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * {@code procagent list}: the JVMs of this user (those procagent can attach to), with their Java
 * version, main class or jar, and whether procagent runs there and where it serves.
 */
final class ListCommand {

  static final String HELP =
      """
      usage: java -jar procagent.jar list

      Lists the JVMs of the current user: pid, Java version, procagent's endpoint (or -), and
      the main class, jar or module. Only these can be attached to.
      """;

  private final PrintStream out;
  private final PrintStream err;

  ListCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(List<String> args) throws UsageException {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(HELP);
      return 0;
    }
    if (!args.isEmpty()) {
      throw new UsageException("unknown option '" + args.get(0) + "' (list takes none)");
    }
    long uid = StateFile.myUid();
    List<Jvms.Jvm> jvms;
    try {
      jvms = Jvms.of(uid, false);
    } catch (IOException e) {
      err.println("procagent list: cannot read /proc: " + e.getMessage());
      return 1;
    }
    long self = ProcessHandle.current().pid();
    out.printf("%-8s %-10s %-36s %s%n", "PID", "JAVA", "PROCAGENT", "MAIN");
    for (Jvms.Jvm j : jvms) {
      if (j.pid() == self) {
        continue;
      }
      out.printf("%-8d %-10s %-36s %s%n", j.pid(), j.javaVersion(), procagent(uid, j), j.main());
    }
    return 0;
  }

  private static String procagent(long uid, Jvms.Jvm j) {
    Optional<Properties> state = StateFile.read(uid, j.pid());
    if (state.isPresent()) {
      Properties p = state.get();
      String host = p.getProperty("host", "");
      String where = "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + p.getProperty("port") + "/metrics";
      return "serving".equals(p.getProperty("status")) ? where : "not serving: " + p.getProperty("status");
    }
    return Jvms.javaagentArg(j.args()).isEmpty() ? "-" : "yes (no state file)";
  }
}
