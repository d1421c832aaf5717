package io.procagent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The daemon's flags as a user types them: each value whole, each wrong one named. */
class CliTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // a value with a comma was once joined into agent arguments and read as a second setting
        "--port 1,host=x | option --port '1,host=x' is not a port number 0..65535",
        "--host a,port=1 | option --host 'a,port=1' is not a host name or address",
        "--port 1 --port 2 | option --port is given twice",
        "--config /nonexistent/p.yaml | cannot read config file /nonexistent/p.yaml: no such file",
        "--port | option --port needs a value",
        // every selector must match, so two pids matched nothing, silently
        "--target a=pid:1,pid:2 | --target a: selector 'pid' given twice (all selectors must match; one target per process set)",
        "--target a=comm:x,COMM:y | --target a: selector 'comm' given twice (all selectors must match; one target per process set)",
        "--target a=comm:x, | --target a: selector '' is not KIND:VALUE (kinds: pid, pidfile, comm, cmdline, user, children)",
        "--target a=pid:0 | target a: pid '0' is not a process id",
        "--target a=user:no-such-user-x | target a: user 'no-such-user-x' is not known on this host (a uid selects a user without a name)",
      })
  @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a daemon that starts never returns
  void badDaemonFlagsAreOneLineNamingTheFlagAndExitCode2(String flags, String message) {
    assertMistake("daemon", flags, message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--interval 0 | --interval '0' is not 1..60000 milliseconds",
        "--interval 1s | --interval '1s' is not 1..60000 milliseconds",
        "--interval 60001 | --interval '60001' is not 1..60000 milliseconds",
        "--pid abc | --pid 'abc' is not a process id (1 or more)",
        "--pid 0 | --pid '0' is not a process id (1 or more)",
        "--pid 4194305 | no process 4194305",
        "--pid | option --pid needs a value",
      })
  void badSnapshotOptionsSayWhatIsExpected(String flags, String message) {
    assertMistake("snapshot", flags, message);
  }

  /** {@code command flags} exits 2 with exactly one line on stderr, {@code message}, and nothing on stdout. */
  static void assertMistake(String command, String flags, String message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run("procagent.jar", (command + " " + flags).split(" "), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("procagent " + command + ": " + message.trim() + "\n");
    assertThat(out.size()).isZero();
  }
}
