package io.procagent.cli;

import io.procagent.agent.Agent;
import io.procagent.attach.Attacher;
import io.procagent.config.AgentArgs;
import io.procagent.config.AgentConfig;
import io.procagent.config.ConfigException;
import io.procagent.config.TargetConfig;
import io.procagent.daemon.Daemon;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar procagent.jar COMMAND}. Every command has {@code --help}; a wrong flag, a
 * missing PID or an unreadable config is one line on stderr and exit code 2 (1 when the command
 * itself failed).
 */
public final class Cli {

  static final String USAGE =
      """
      usage: java -jar procagent.jar COMMAND [OPTIONS]

      commands:
        daemon     watch this host and chosen processes, serve /metrics (default 0.0.0.0:9494)
        attach     load procagent into a running JVM:   attach PID [AGENT-OPTIONS]
        list       the JVMs of this user that procagent can attach to, and where it runs
        snapshot   print once what procagent sees of a process:  snapshot [--pid PID] [--json]
        hash-password  read a password on stdin, print its bcrypt (or --pbkdf2) hash for basic_auth
        version    print procagent's version
        help       print this text (COMMAND --help for a command's options)

      As a Java agent:  java -javaagent:procagent.jar[=[HOST:]PORT[:CONFIG.yaml]] -jar app.jar
                        java -javaagent:procagent.jar=port=9494,host=127.0.0.1,config=FILE ...
      """;

  static final String DAEMON_USAGE =
      """
      usage: java -jar procagent.jar daemon [--config FILE] [--host H] [--port N] [--target NAME=SELECTOR]...

      Watches the host and the targets, serving http://H:N/metrics (default 0.0.0.0:9494).
      Without targets it watches itself. SELECTOR is one or more of, comma-separated, all of
      which must match:  pid:N  pidfile:PATH  comm:REGEX  cmdline:REGEX  user:NAME  children
      e.g.  --target sleep=comm:^sleep$   --target web=comm:nginx,user:www-data,children
      A regex with a comma goes into the config file's targets: list.
      """;

  private Cli() {}

  /** Entry from the bootstrap: {@code jar} is procagent.jar's path. Returns the exit code. */
  public static int run(String jar, String[] args) {
    return run(jar, args, System.out, System.err);
  }

  static int run(String jar, String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0) {
      err.print(USAGE);
      return 2;
    }
    List<String> rest = List.of(args).subList(1, args.length);
    try {
      return switch (args[0]) {
        case "help", "--help", "-h" -> {
          out.print(USAGE);
          yield 0;
        }
        case "version", "--version" -> {
          out.println("procagent " + Agent.version());
          yield 0;
        }
        case "daemon" -> daemon(rest, out, err);
        case "attach" -> new Attacher(jar, out, err).run(rest);
        case "list" -> new ListCommand(out, err).run(rest);
        case "snapshot" -> new SnapshotCommand(out, err).run(rest);
        case "hash-password" -> hashPassword(rest, out);
        default -> {
          err.println("procagent: unknown command '" + args[0] + "' (try: procagent help)");
          yield 2;
        }
      };
    } catch (UsageException e) {
      err.println("procagent " + args[0] + ": " + e.getMessage());
      return 2;
    }
  }

  /** A command-line mistake: one line, exit code 2. */
  public static final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
      super(message);
    }
  }

  private static int hashPassword(List<String> args, PrintStream out) throws UsageException {
    if (args.contains("--help") || args.contains("-h")) {
      out.print(
          """
          usage: java -jar procagent.jar hash-password [--pbkdf2] < password-file

          Reads one password (the first line of stdin, or asked for on a terminal) and prints its
          bcrypt hash (cost 10), or with --pbkdf2 its PBKDF2-HMAC-SHA256 hash, for
          http.basic_auth.password_hash. The password itself is never stored.
          """);
      return 0;
    }
    boolean pbkdf2 = args.contains("--pbkdf2");
    for (String a : args) {
      if (!a.equals("--pbkdf2")) {
        throw new UsageException("unknown option '" + a + "' (known: --pbkdf2)");
      }
    }
    char[] password;
    java.io.Console console = System.console();
    if (console != null) {
      password = console.readPassword("password: ");
    } else {
      try {
        String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8)).readLine();
        password = line == null ? null : line.toCharArray();
      } catch (java.io.IOException e) {
        password = null;
      }
    }
    if (password == null || password.length == 0) {
      throw new UsageException("no password on stdin");
    }
    try {
      out.println(pbkdf2 ? io.procagent.prometheus.PasswordHash.pbkdf2(password) : io.procagent.prometheus.PasswordHash.bcrypt(password));
    } catch (java.security.GeneralSecurityException e) {
      throw new UsageException("cannot hash: " + e.getMessage());
    } finally {
      java.util.Arrays.fill(password, ' ');
    }
    return 0;
  }

  private static int daemon(List<String> args, PrintStream out, PrintStream err) throws UsageException {
    Map<String, String> flags = new HashMap<>();
    List<TargetConfig> targets = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.equals("--help") || a.equals("-h")) {
          out.print(DAEMON_USAGE);
          return 0;
        }
        if (!List.of("--host", "--port", "--config", "--target").contains(a)) {
          throw new UsageException("unknown option '" + a + "' (known: --config, --host, --port, --target)");
        }
        if (i + 1 >= args.size()) {
          throw new UsageException("option " + a + " needs a value");
        }
        String value = args.get(++i);
        if (a.equals("--target")) {
          targets.add(TargetConfig.parseFlag(value));
        } else if (flags.put(a, value) != null) {
          throw new UsageException("option " + a + " is given twice");
        }
      }
      AgentConfig config = AgentArgs.fromFlags(flags.get("--host"), flags.get("--port"), flags.get("--config"));
      if (!targets.isEmpty()) {
        List<TargetConfig> all = new ArrayList<>(config.targets());
        for (TargetConfig t : targets) {
          if (all.stream().anyMatch(x -> x.name().equals(t.name()))) {
            throw new UsageException("target '" + t.name() + "' is given twice");
          }
          all.add(t);
        }
        config = config.withTargets(all);
      }
      Daemon daemon = new Daemon(config, Agent.version());
      daemon.start();
      Runtime.getRuntime().addShutdownHook(new Thread(daemon::stop, "procagent-stop"));
      Thread.currentThread().join();
      return 0;
    } catch (ConfigException e) {
      throw new UsageException(e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
