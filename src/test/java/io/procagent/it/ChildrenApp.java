package io.procagent.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts children in known patterns when told "go" on stdin, reports what its own API calls
 * returned, and destroys its long-lived children when told "kill". "quit" ends it.
 */
public final class ChildrenApp {

  private ChildrenApp() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    System.out.println("app ready");
    List<Process> longLived = new ArrayList<>();
    List<Process> zombieParents = new ArrayList<>();
    String line;
    while ((line = in.readLine()) != null) {
      switch (line.trim()) {
        case "go" -> {
          for (int i = 0; i < 5; i++) {
            Process p = new ProcessBuilder("sh", "-c", "exit 3").start();
            System.out.println("exit=" + p.waitFor());
          }
          for (int i = 0; i < 3; i++) {
            longLived.add(new ProcessBuilder("sleep", "300").start());
          }
          longLived.add(Runtime.getRuntime().exec(new String[] {"sh", "-c", "sleep 300 & wait"}));
          try {
            new ProcessBuilder("no-such-command-procagent").start();
            System.out.println("launch succeeded?!");
          } catch (IOException e) {
            System.out.println("launch failed: " + e.getMessage().contains("no-such-command-procagent"));
          }
          String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
          Process burn =
              new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Burn.class.getName(), "800")
                  .redirectErrorStream(true)
                  .start();
          String out = new String(burn.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
          System.out.println("burn exit=" + burn.waitFor() + " " + out);
          Thread.sleep(300); // let the grandchild sleep start
          System.out.println("scenario done");
        }
        case "zombie" -> {
          // sh starts "sleep 0" in the background and reads its stdin: the "sleep 0" that exits
          // stays a zombie until sh, at the end of its input, waits for it (so that no zombie
          // is left to an init that does not reap)
          zombieParents.add(new ProcessBuilder("sh", "-c", "sleep 0 & read x; wait").start());
          Thread.sleep(300);
          System.out.println("zombie made");
        }
        case "kill" -> {
          for (Process p : zombieParents) {
            p.getOutputStream().close();
            p.waitFor();
          }
          for (Process p : longLived) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            p.waitFor();
          }
          System.out.println("killed");
        }
        case "churn" -> {
          // keeps launching: failing and succeeding children, and failed launches
          Thread churn =
              new Thread(
                  () -> {
                    while (true) {
                      try {
                        new ProcessBuilder("sh", "-c", "exit 3").start().waitFor();
                        new ProcessBuilder("true").start().waitFor();
                        try {
                          new ProcessBuilder("no-such-command-procagent").start();
                        } catch (IOException expected) {
                          // counted as a failed launch
                        }
                        Thread.sleep(300);
                      } catch (IOException | InterruptedException e) {
                        return;
                      }
                    }
                  },
                  "churn");
          churn.setDaemon(true);
          churn.start();
          System.out.println("churning");
        }
        case "storm" -> {
          // children appearing and exiting as fast as they can for 5 s: /proc entries vanish
          // while procagent scans
          long end = System.currentTimeMillis() + 5000;
          int n = 0;
          while (System.currentTimeMillis() < end) {
            new ProcessBuilder("true").start().waitFor();
            n++;
          }
          System.out.println("storm done " + n);
        }
        case "many" -> {
          // 2,000 short children under 100 different names: series must stay bounded
          java.nio.file.Path bin = java.nio.file.Files.createTempDirectory("procagent-many");
          for (int i = 0; i < 100; i++) {
            java.nio.file.Path exe = bin.resolve("t" + i);
            java.nio.file.Files.copy(java.nio.file.Path.of("/bin/true"), exe);
            exe.toFile().setExecutable(true);
          }
          for (int i = 0; i < 2000; i++) {
            new ProcessBuilder(bin.resolve("t" + (i % 100)).toString()).start().waitFor();
          }
          System.out.println("many done");
        }
        case "quit" -> {
          System.out.println("app done true");
          return;
        }
        default -> System.out.println("unknown " + line);
      }
    }
  }
}
