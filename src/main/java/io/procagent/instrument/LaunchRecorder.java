package io.procagent.instrument;

import io.procagent.sampler.Launches;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns {@code ProcessBuilder.start} events into {@link Launches} records: a start or a failed
 * launch at once, and the exit (code, duration) when the JDK's process reaper sees it, through
 * {@link Process#onExit()}, so the application's own {@code waitFor()} is untouched.
 */
final class LaunchRecorder implements Consumer<Object[]> {

  private final Launches launches;

  LaunchRecorder(Launches launches) {
    this.launches = launches;
  }

  /** {@code event} is {builder, process or null, throwable or null, startNanos}. */
  @Override
  public void accept(Object[] event) {
    ProcessBuilder builder = (ProcessBuilder) event[0];
    Process process = (Process) event[1];
    long startNanos = (Long) event[3];
    List<String> command = builder.command();
    String exe = command.isEmpty() ? "" : command.get(0);
    if (event[2] != null || process == null) {
      launches.failed(exe);
      return;
    }
    launches.started(exe);
    process
        .onExit()
        .thenRun(
            () -> {
              double seconds = (System.nanoTime() - startNanos) / 1e9;
              launches.exited(exe, process.exitValue(), seconds);
            });
  }
}
