import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;

/**
 * How long a JVM takes to exit after its main method finished: runs COMMAND three times and
 * prints the time from its "done" line to the process's exit.
 * Usage: java bench/ExitTime.java java [-javaagent:target/procagent.jar=127.0.0.1:0] -cp DIR Main
 * (Main prints "done" as its last line, e.g. a class that sleeps a while and returns.)
 */
public class ExitTime {
  public static void main(String[] args) throws Exception {
    for (int r = 0; r < 3; r++) {
      Process p = new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
      BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream()));
      String line;
      long done = 0;
      while ((line = in.readLine()) != null) {
        if (line.equals("done")) {
          done = System.nanoTime();
        }
      }
      p.waitFor();
      System.out.printf("exit after done: %.0f ms%n", (System.nanoTime() - done) / 1e6);
    }
  }
}
