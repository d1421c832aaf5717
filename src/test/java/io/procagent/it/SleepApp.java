package io.procagent.it;

/**
 * The host application of the integration tests: prints "app ready", works and sleeps for the
 * given milliseconds, prints "app done" and returns normally (exit code 0).
 */
public final class SleepApp {

  private SleepApp() {}

  public static void main(String[] args) throws InterruptedException {
    long millis = args.length > 0 ? Long.parseLong(args[0]) : 3000;
    System.out.println("app ready");
    long end = System.currentTimeMillis() + millis;
    double x = 0;
    while (System.currentTimeMillis() < end) {
      for (int i = 0; i < 20_000; i++) {
        x += Math.sqrt(i);
      }
      Thread.sleep(20);
    }
    System.out.println("app done " + (x > 0));
  }
}
