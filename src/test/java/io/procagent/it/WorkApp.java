package io.procagent.it;

import java.security.MessageDigest;

/**
 * A host application doing measurable work for the soak benchmark: one thread hashing, printing
 * its operations per second every second ("ops N"), until the given seconds have passed.
 */
public final class WorkApp {

  private WorkApp() {}

  public static void main(String[] args) throws Exception {
    long seconds = Long.parseLong(args[0]);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] data = new byte[1024];
    long end = System.currentTimeMillis() + seconds * 1000;
    long windowStart = System.currentTimeMillis();
    long ops = 0;
    System.out.println("app ready");
    while (System.currentTimeMillis() < end) {
      data = sha.digest(data.length == 32 ? new byte[1024] : data);
      ops++;
      long now = System.currentTimeMillis();
      if (now - windowStart >= 1000) {
        System.out.println("ops " + ops);
        ops = 0;
        windowStart = now;
      }
    }
    System.out.println("app done true");
  }
}
