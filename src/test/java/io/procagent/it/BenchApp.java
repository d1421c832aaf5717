package io.procagent.it;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The small application bench/Compare.java starts with each exporter: prints "ready" (after
 * starting client_java's HTTPServer with JvmMetrics when told {@code clientjava:PORT}), starts N
 * {@code sleep} children, then waits for "quit" on stdin, stops its children, prints "exiting"
 * and returns from main. Usage: BenchApp plain|clientjava:PORT CHILDREN
 */
public final class BenchApp {

  private BenchApp() {}

  public static void main(String[] args) throws Exception {
    if (args[0].startsWith("clientjava:")) {
      JvmMetrics.builder().register();
      HTTPServer.builder().hostname("127.0.0.1").port(Integer.parseInt(args[0].substring(11))).buildAndStart();
    }
    System.out.println("ready");
    List<Process> children = new java.util.concurrent.CopyOnWriteArrayList<>();
    // stopped by a signal (bench/idle.sh): the children go too, never left to init
    Runtime.getRuntime().addShutdownHook(new Thread(() -> children.forEach(Process::destroy)));
    for (int i = 0, n = Integer.parseInt(args[1]); i < n; i++) {
      children.add(new ProcessBuilder("sleep", "100000").start());
    }
    System.out.println("children " + children.size());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null && !line.equals("quit")) {
      // wait
    }
    for (Process p : children) {
      p.destroy();
    }
    for (Process p : children) {
      p.waitFor();
    }
    System.out.println("exiting");
  }
}
