package io.procagent.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Premain-Class, Agent-Class and Main-Class of {@code procagent.jar}: with {@code JarLoader},
 * the only procagent classes the host application can see.
 *
 * <p>It uses the JDK only and is compiled for Java 8, so that on an old JVM it can say in one
 * line that procagent needs Java 17 instead of failing with an {@code UnsupportedClassVersion}
 * error. It never throws into the JVM: {@code premain} returns at once and the real work (unpack
 * {@code inst/}, build the private class loader, start the agent) happens on one daemon thread.
 *
 * <p>Our code and every dependency live in {@code inst/*.jar} inside this jar. They are copied
 * to a private temporary directory and loaded by a {@code JarLoader} (a {@link URLClassLoader})
 * whose parent is the platform class loader, so the application's own client_java, OSHI or JNA
 * can never be mixed with ours.
 */
public final class Bootstrap {

  static final int MIN_JAVA = 17;
  private static final String AGENT_MAIN = "io.procagent.agent.AgentMain";
  private static final String CLI_MAIN = "io.procagent.cli.Cli";
  private static final String JAR_LOADER = "io.procagent.bootstrap.JarLoader";

  /**
   * One procagent per JVM. Every copy of procagent.jar given to one JVM resolves this class
   * through the system class loader to the first copy loaded, so this flag is JVM-wide.
   */
  private static final AtomicBoolean STARTED = new AtomicBoolean();

  private Bootstrap() {}

  /** {@code -javaagent:procagent.jar=ARGS}. */
  public static void premain(String args, Instrumentation inst) {
    launch(args, inst, "premain");
  }

  /** Loaded into a running JVM by {@code procagent attach PID}. */
  public static void agentmain(String args, Instrumentation inst) {
    launch(args, inst, "agentmain");
  }

  /** {@code java -jar procagent.jar COMMAND ...}: runs in the foreground. */
  public static void main(String[] args) throws Exception {
    if (!supported(System.getProperty("java.specification.version"))) {
      System.err.println(tooOld());
      System.exit(1);
      return;
    }
    ClassLoader loader = agentLoader();
    Thread.currentThread().setContextClassLoader(loader);
    Method run = loader.loadClass(CLI_MAIN).getMethod("run", String.class, String[].class);
    int code;
    try {
      code = (Integer) run.invoke(null, jarPath().getPath(), args);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
    }
    if (code != 0) {
      System.exit(code); // the CLI's own JVM: its exit code is the command's result
    }
  }

  private static void launch(final String args, final Instrumentation inst, final String how) {
    try {
      if (!supported(System.getProperty("java.specification.version"))) {
        System.err.println(tooOld() + "; the application runs on without it");
        return;
      }
      if (!STARTED.compareAndSet(false, true)) {
        System.err.println(
            "procagent: already running in this JVM; this second copy (" + how + ") is ignored");
        return;
      }
      Thread t =
          new Thread(
              new Runnable() {
                @Override
                public void run() {
                  start(args, inst, how);
                }
              },
              "procagent-init");
      t.setDaemon(true);
      t.start();
    } catch (Throwable t) {
      report(t);
    }
  }

  private static void start(String args, Instrumentation inst, String how) {
    try {
      ClassLoader loader = agentLoader();
      Thread.currentThread().setContextClassLoader(loader);
      Method start =
          loader
              .loadClass(AGENT_MAIN)
              .getMethod("start", String.class, Instrumentation.class, String.class, String.class);
      Object ok = start.invoke(null, args, inst, how, jarPath().getPath());
      if (!Boolean.TRUE.equals(ok)) {
        STARTED.set(false); // not running: a later attach with a good config may try again
      }
    } catch (InvocationTargetException e) {
      STARTED.set(false);
      report(e.getCause());
    } catch (Throwable t) {
      STARTED.set(false);
      report(t);
    }
  }

  private static void report(Throwable t) {
    try {
      System.err.println("procagent: could not start, the application runs on without it: " + describe(t));
    } catch (Throwable ignored) {
      // nothing left to do: the host application must not see our failure
    }
  }

  /**
   * {@code t}, with its root cause when it only wraps one (an {@code ExceptionInInitializerError}
   * says nothing by itself), and what a security exception means: procagent reads /proc, opens a
   * port and starts threads on its own, which a Java security manager denies.
   */
  static String describe(Throwable t) {
    Throwable root = t;
    boolean denied = t instanceof SecurityException;
    for (int i = 0; root.getCause() != null && root.getCause() != root && i < 20; i++) {
      root = root.getCause();
      denied |= root instanceof SecurityException;
    }
    String text = root == t || String.valueOf(t).contains(String.valueOf(root)) ? String.valueOf(t) : t + ", caused by " + root;
    return denied ? text + " (procagent does not run under a Java security manager)" : text;
  }

  static boolean supported(String specVersion) {
    if (specVersion == null) {
      return false;
    }
    String major = specVersion.startsWith("1.") ? specVersion.substring(2) : specVersion;
    int dot = major.indexOf('.');
    if (dot >= 0) {
      major = major.substring(0, dot);
    }
    try {
      return Integer.parseInt(major) >= MIN_JAVA;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String tooOld() {
    return "procagent needs Java "
        + MIN_JAVA
        + "+, this JVM is "
        + System.getProperty("java.specification.version");
  }

  private static File jarPath() throws Exception {
    URL location = Bootstrap.class.getProtectionDomain().getCodeSource().getLocation();
    return new File(location.toURI());
  }

  /**
   * A new directory {@code procagent-PID-XXXX} in java.io.tmpdir, readable by this user only.
   * Not {@code Files.createTempDirectory}: its random name costs the host a SecureRandom (tens of
   * classes and milliseconds at start). Creating it fails when the name exists, symbolic links
   * included, so a name someone else chose is never used; the next one is tried.
   */
  static File privateDirectory() throws IOException {
    Path base = new File(System.getProperty("java.io.tmpdir")).toPath();
    long seed = System.nanoTime();
    for (int i = 0; ; i++) {
      Path dir = base.resolve("procagent-" + pid() + "-" + Long.toString((seed + i) & 0xffffffffL, 36));
      try {
        try {
          Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException notPosix) {
          Files.createDirectory(dir);
        }
        return dir.toFile();
      } catch (FileAlreadyExistsException taken) {
        if (i >= 100) {
          throw taken;
        }
      } catch (IOException e) {
        throw new IOException("cannot unpack procagent's jars into java.io.tmpdir " + base + ": " + e
            + " (give a writable one with -Djava.io.tmpdir)", e);
      }
    }
  }

  /** Copies {@code inst/*.jar} to a private temp directory and builds the isolated loader. */
  static ClassLoader agentLoader() throws Exception {
    File jar = jarPath();
    File dir = privateDirectory();
    deleteStale(dir.getParentFile());
    deleteAtExit(dir);
    List<File> jars = new ArrayList<File>();
    // each copy's entry in procagent.jar (its name and CRC): a copy deleted later (a cleaner of
    // java.io.tmpdir) is unpacked again only from the same bytes
    Map<String, JarEntry> entryOf = new HashMap<String, JarEntry>();
    JarFile jf = new JarFile(jar);
    try {
      Enumeration<JarEntry> entries = jf.entries();
      byte[] buf = new byte[64 * 1024];
      while (entries.hasMoreElements()) {
        JarEntry e = entries.nextElement();
        String name = e.getName();
        if (!name.startsWith("inst/") || !name.endsWith(".jar")) {
          continue;
        }
        File out = new File(dir, name.substring(name.lastIndexOf('/') + 1));
        InputStream in = jf.getInputStream(e);
        try {
          OutputStream os = Files.newOutputStream(out.toPath());
          try {
            int n;
            while ((n = in.read(buf)) > 0) {
              os.write(buf, 0, n);
            }
          } finally {
            os.close();
          }
        } finally {
          in.close();
        }
        jars.add(out);
        entryOf.put(out.getPath(), e);
      }
    } finally {
      jf.close();
    }
    if (jars.isEmpty()) {
      throw new IOException(jar + " has no inst/*.jar: was it built with 'mvn package'?");
    }
    // the class loader looks a class up jar by jar and opens each jar it passes (its central
    // directory read into the heap): the jars every start needs come first
    java.util.Collections.sort(
        jars,
        new java.util.Comparator<File>() {
          @Override
          public int compare(File a, File b) {
            return rank(a.getPath()) - rank(b.getPath());
          }
        });
    String[] entryNames = new String[jars.size()];
    long[] crcs = new long[jars.size()];
    for (int i = 0; i < jars.size(); i++) {
      JarEntry e = entryOf.get(jars.get(i).getPath());
      entryNames[i] = e.getName();
      crcs[i] = e.getCrc();
    }
    // JarLoader is Java 17 bytecode: by reflection, once the version has been checked
    return (ClassLoader)
        Class.forName(JAR_LOADER)
            .getDeclaredConstructor(File[].class, ClassLoader.class, File.class, String[].class, long[].class)
            .newInstance(jars.toArray(new File[0]), platformLoader(), jar, entryNames, crcs);
  }

  /** Deletes {@code dir} and what is in it when the JVM exits. */
  static void deleteAtExit(final File dir) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                new Runnable() {
                  @Override
                  public void run() {
                    deleteTree(dir);
                  }
                },
                "procagent-cleanup"));
  }

  /**
   * The jars an agent's start-up loads classes from, in this order; the others after them. The
   * pom stores these uncompressed ({@code startup.artifacts}), so that a class is read without an
   * inflater and its buffer; PackagingIT checks that the jars a start-up opens are these, stored.
   */
  private static final String[] START_UP = {
    "core.jar", "prometheus-metrics-model-", "prometheus-metrics-exposition-textformats-",
    "prometheus-metrics-config-", "prometheus-metrics-exporter-common-", "asm-"
  };

  /** Where the jar at {@code path} goes in the loader's search order (a stable sort keeps the rest). */
  static int rank(String path) {
    String name = path.substring(path.lastIndexOf('/') + 1);
    for (int i = 0; i < START_UP.length; i++) {
      if (name.startsWith(START_UP[i])) {
        return i;
      }
    }
    return START_UP.length;
  }

  /**
   * The platform class loader: the last loader before the bootstrap one above the system loader
   * (also when the application sets its own {@code java.system.class.loader}). Not {@code
   * ClassLoader.getPlatformClassLoader()} through reflection (this class is Java 8 bytecode): a
   * caller-sensitive JDK method called reflectively makes Java 17 parse its annotations, which
   * loads about 40 classes and generates two proxy classes in the host.
   */
  static ClassLoader platformLoader() {
    ClassLoader l = ClassLoader.getSystemClassLoader();
    while (l.getParent() != null) {
      l = l.getParent();
    }
    return l;
  }

  private static long pid() {
    try {
      Class<?> ph = Class.forName("java.lang.ProcessHandle");
      return (Long) ph.getMethod("pid").invoke(ph.getMethod("current").invoke(null));
    } catch (Exception e) {
      return 0;
    }
  }

  /**
   * Removes the unpacked copies left by JVMs that were killed before their shutdown hook ran
   * (about 8 MB each): directories {@code procagent-PID-*} whose PID no longer runs.
   */
  private static void deleteStale(File tmp) {
    try {
      File[] dirs = tmp.listFiles();
      if (dirs == null) {
        return;
      }
      Class<?> ph = Class.forName("java.lang.ProcessHandle");
      Method of = ph.getMethod("of", long.class);
      for (File d : dirs) {
        String name = d.getName();
        if (!d.isDirectory() || !name.startsWith("procagent-")) {
          continue;
        }
        int dash = name.indexOf('-', "procagent-".length());
        if (dash < 0) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(name.substring("procagent-".length(), dash));
        } catch (NumberFormatException e) {
          continue;
        }
        Object handle = of.invoke(null, pid);
        if (!((Boolean) handle.getClass().getMethod("isPresent").invoke(handle))) {
          deleteTree(d);
        }
      }
    } catch (Throwable ignored) {
      // best effort: a stale copy costs disk, never the application
    }
  }

  private static void deleteTree(File f) {
    File[] children = f.listFiles();
    if (children != null) {
      for (File c : children) {
        deleteTree(c);
      }
    }
    f.delete();
  }
}
