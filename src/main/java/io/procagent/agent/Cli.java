package io.procagent.agent;

import io.procagent.config.AgentArgs;
import io.procagent.config.AgentConfig;
import io.procagent.config.ConfigException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code java -jar procagent.jar COMMAND}. Errors are one line on stderr and a non-zero exit.
 */
public final class Cli {

  static final String USAGE =
      """
      usage: java -jar procagent.jar COMMAND [OPTIONS]

      commands:
        daemon [--host H] [--port N] [--config FILE]
                   serve this host's and the daemon's own metrics on http://H:N/metrics
                   (default 0.0.0.0:9494) until stopped
        version    print procagent's version
        help       print this text

      As a Java agent:  java -javaagent:procagent.jar[=[HOST:]PORT[:CONFIG.yaml]] -jar app.jar
                        java -javaagent:procagent.jar=port=9494,host=127.0.0.1,config=FILE ...
      """;

  private Cli() {}

  public static void main(String[] args) {
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs a command; returns the exit code ({@code daemon} only returns on error). */
  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE);
      return 2;
    }
    String command = args[0];
    List<String> rest = List.of(args).subList(1, args.length);
    switch (command) {
      case "help", "--help", "-h" -> {
        out.print(USAGE);
        return 0;
      }
      case "version", "--version" -> {
        out.println("procagent " + Agent.version());
        return 0;
      }
      case "daemon" -> {
        return daemon(rest, out, err);
      }
      default -> {
        err.println("procagent: unknown command '" + command + "' (try: procagent help)");
        return 2;
      }
    }
  }

  private static int daemon(List<String> args, PrintStream out, PrintStream err) {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("--help") || a.equals("-h")) {
        out.print(USAGE);
        return 0;
      }
      String key =
          switch (a) {
            case "--host" -> "host";
            case "--port" -> "port";
            case "--config" -> "config";
            default -> null;
          };
      if (key == null) {
        err.println("procagent daemon: unknown option '" + a + "' (known: --host, --port, --config)");
        return 2;
      }
      if (i + 1 >= args.size()) {
        err.println("procagent daemon: option " + a + " needs a value");
        return 2;
      }
      parts.add(key + "=" + args.get(++i));
    }
    AgentConfig config;
    try {
      config = AgentArgs.resolve(String.join(",", parts));
    } catch (ConfigException e) {
      err.println("procagent daemon: " + e.getMessage());
      return 2;
    }
    Agent agent = new Agent(config, null);
    agent.start();
    Runtime.getRuntime().addShutdownHook(new Thread(agent::stop, "procagent-stop"));
    try {
      Thread.currentThread().join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }
}
