package io.procagent.bootstrap;

import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.CodeSigner;
import java.security.CodeSource;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * procagent's private class loader, named {@code procagent}, under the platform loader: the jars
 * of {@code inst/} in the order {@link Bootstrap#rank} gives. Resource URLs (JNA's native library)
 * are found as by any {@link URLClassLoader}; classes, and the streams of procagent's own
 * resources ({@link #getResourceAsStream}), it finds itself, because the JDK's way cost the
 * host's heap twice what the class files weigh. Measured with JFR
 * allocation samples of an agent's start and first scrape: {@code Resource.getBytes} grows its
 * array 1 KB at a time and copies it at each step; every class got its own {@code CodeSource},
 * URL strings and connection; and each of procagent's class names was first asked of the
 * platform loader, which answers with a {@code ClassNotFoundException} and its stack trace. Here
 * every class file is read into one kept array (grown to the largest), each jar has one {@code
 * CodeSource}, and only names the JDK could own ({@link #jdkName}) go to the parent first.
 *
 * <p>Java 17 bytecode (the named loader constructor): {@link Bootstrap}, Java 8 bytecode, builds
 * it by reflection once it has checked the JVM's version.
 */
final class JarLoader extends URLClassLoader {

  /** A class file larger than this is read as a stream of unknown length. */
  private static final long LARGEST_CLASS = 64L << 20;

  private final File[] files;
  private final CodeSource[] sources;
  /** Opened when a lookup first reaches them, as the JDK's loader does. Guarded by this. */
  private final JarFile[] jars;
  /** Jars that could not be opened: skipped, not tried again. Guarded by this. */
  private final boolean[] broken;
  /** See {@link #scratch(int)}. Guarded by this. */
  private byte[] scratch = new byte[16 * 1024];

  /** procagent.jar, which the jars were unpacked from, or null (then none is unpacked again). */
  private final File origin;
  /** Each jar's entry in {@link #origin}, and that entry's CRC when it was unpacked. */
  private final String[] entries;
  private final long[] crcs;
  /** Where jars deleted since the start are unpacked again; made at the first. Guarded by this. */
  private File again;
  /** Whether a jar that could not be unpacked again was told of. Guarded by this. */
  private boolean failureTold;

  /** @param files the jars, in the order they are searched */
  JarLoader(File[] files, ClassLoader parent) throws MalformedURLException {
    this(files, parent, null, new String[files.length], new long[files.length]);
  }

  /**
   * @param files the jars, in the order they are searched, unpacked from {@code origin}
   * @param entries each jar's entry in {@code origin}
   * @param crcs each entry's CRC-32 when it was unpacked
   */
  JarLoader(File[] files, ClassLoader parent, File origin, String[] entries, long[] crcs) throws MalformedURLException {
    this(files, urls(files), parent, origin, entries, crcs);
  }

  private JarLoader(File[] files, URL[] urls, ClassLoader parent, File origin, String[] entries, long[] crcs) {
    super("procagent", urls, parent);
    this.origin = origin;
    this.entries = entries.clone();
    this.crcs = crcs.clone();
    this.files = files.clone();
    this.sources = new CodeSource[files.length];
    for (int i = 0; i < files.length; i++) {
      sources[i] = new CodeSource(urls[i], (CodeSigner[]) null);
    }
    this.jars = new JarFile[files.length];
    this.broken = new boolean[files.length];
  }

  private static URL[] urls(File[] files) throws MalformedURLException {
    URL[] urls = new URL[files.length];
    for (int i = 0; i < files.length; i++) {
      urls[i] = files[i].toURI().toURL();
    }
    return urls;
  }

  /**
   * The JDK's names go to the platform loader first, as in any loader. Every other name is
   * looked up in procagent's jars first: the platform loader does not have it, and asking it
   * costs an exception.
   */
  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (jdkName(name)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) {
        c = own(name);
        if (c == null) {
          c = getParent().loadClass(name); // none of the jars has it: the parent's, or not found
        }
      }
      if (resolve) {
        resolveClass(c);
      }
      return c;
    }
  }

  @Override
  protected Class<?> findClass(String name) throws ClassNotFoundException {
    Class<?> c = own(name);
    if (c == null) {
      throw new ClassNotFoundException(name);
    }
    return c;
  }

  /**
   * procagent's own resources (the version file, the hook's template class) from the jar already
   * open for its classes, looked up in the same order. {@link URLClassLoader} would first ask the
   * platform loader, which opens the runtime image's module reader, and then open the jar a second
   * time through a {@code jar:} URL connection kept in the JDK's cache: about 40 JDK classes and a
   * second copy of the jar's directory in the host for two small reads. Names the JDK could own,
   * and anything not found here, go the usual way.
   */
  @Override
  public InputStream getResourceAsStream(String name) {
    if (!name.startsWith("/") && !jdkName(name.replace('/', '.'))) {
      for (int i = 0; i < files.length; i++) {
        JarFile jar = jar(i);
        JarEntry entry = jar == null ? null : jar.getJarEntry(name);
        if (entry != null) {
          try {
            return jar.getInputStream(entry);
          } catch (IOException | RuntimeException e) {
            break; // unreadable here: the usual way says so or finds it elsewhere
          }
        }
      }
    }
    return super.getResourceAsStream(name);
  }

  /** Whether the JDK's own modules could define {@code name} (none of procagent's jars do). */
  static boolean jdkName(String name) {
    return name.startsWith("java.")
        || name.startsWith("javax.")
        || name.startsWith("jdk.")
        || name.startsWith("sun.")
        || (name.startsWith("com.sun.") && !name.startsWith("com.sun.jna."))
        || name.startsWith("org.w3c.")
        || name.startsWith("org.xml.")
        || name.startsWith("org.ietf.");
  }

  /** The class from the first jar that has it, defined; null when none has. */
  private Class<?> own(String name) throws ClassNotFoundException {
    String path = name.replace('.', '/').concat(".class");
    for (int i = 0; i < files.length; i++) {
      JarFile jar = jar(i);
      JarEntry entry = jar == null ? null : jar.getJarEntry(path);
      if (entry != null) {
        return define(name, jar, entry, i);
      }
    }
    return null;
  }

  private synchronized JarFile jar(int i) {
    if (jars[i] == null && !broken[i]) {
      try {
        jars[i] = open(files[i]);
      } catch (IOException | RuntimeException e) {
        jars[i] = files[i].exists() ? null : unpackAgain(i);
        broken[i] = jars[i] == null; // the class then is not found, and the caller says which
      }
    }
    return jars[i];
  }

  /** As the JDK's loader opens a jar: verified, and multi-release at this JVM's version. */
  private static JarFile open(File file) throws IOException {
    return new JarFile(file, true, ZipFile.OPEN_READ, JarFile.runtimeVersion());
  }

  /**
   * Jar {@code i} unpacked again into a new private directory, when it was deleted since the start
   * (a cleaner of java.io.tmpdir, such as systemd-tmpfiles after ten days, removes the copies of
   * the jars nobody opened yet, so that a scrape asking for protobuf a month in found no writer);
   * only from the same bytes as at the start, never from a procagent.jar replaced meanwhile, whose
   * classes would not match those loaded. One line on stderr either way; null when it cannot be.
   */
  private JarFile unpackAgain(int i) {
    File gone = files[i];
    if (origin == null) {
      return null;
    }
    try (ZipFile from = new ZipFile(origin)) {
      ZipEntry entry = from.getEntry(entries[i]);
      if (entry == null || entry.getCrc() != crcs[i]) {
        failed(gone + " was deleted since procagent started (a cleaner of java.io.tmpdir?), and " + origin
            + " has changed since: the classes in it are not loaded");
        return null;
      }
      boolean first = again == null || !again.isDirectory(); // none yet, or deleted too
      if (first) {
        again = Bootstrap.privateDirectory();
        Bootstrap.deleteAtExit(again);
      }
      File copy = new File(again, gone.getName());
      try (InputStream in = from.getInputStream(entry)) {
        Files.copy(in, copy.toPath(), StandardCopyOption.REPLACE_EXISTING);
      }
      JarFile jar = open(copy);
      files[i] = copy;
      addURL(copy.toURI().toURL()); // for resource URLs, as the deleted copy's was
      if (first) { // a class looked up opens every jar before the one that has it: said once
        warn(gone + " was deleted since procagent started (a cleaner of java.io.tmpdir?); it and the others "
            + "needed are unpacked again from " + origin + " into " + again);
      }
      return jar;
    } catch (IOException | RuntimeException e) {
      failed(gone + " was deleted since procagent started, and cannot be unpacked again from " + origin + ": " + e);
      return null;
    }
  }

  /** One line on stderr. */
  private static void warn(String message) {
    try {
      System.err.println("procagent: " + message);
    } catch (RuntimeException ignored) {
      // a closed stderr must not break the agent
    }
  }

  /** Only the first failure is told: a class looked up can reach every jar. */
  private void failed(String message) {
    if (!failureTold) {
      failureTold = true;
      warn(message);
    }
  }

  private synchronized Class<?> define(String name, JarFile jar, JarEntry entry, int i)
      throws ClassNotFoundException {
    byte[] bytes;
    int length;
    try (InputStream in = jar.getInputStream(entry)) {
      long size = entry.getSize();
      if (size >= 0 && size <= LARGEST_CLASS) {
        bytes = scratch((int) size);
        readExactly(in, bytes, (int) size);
        length = (int) size;
      } else {
        bytes = in.readAllBytes();
        length = bytes.length;
      }
    } catch (IOException e) {
      throw new ClassNotFoundException(name + " in " + files[i], e);
    }
    int dot = name.lastIndexOf('.');
    if (dot > 0) {
      String pkg = name.substring(0, dot);
      if (getDefinedPackage(pkg) == null) {
        try {
          Manifest manifest = jar.getManifest();
          if (manifest != null) {
            definePackage(pkg, manifest, sources[i].getLocation());
          } else {
            definePackage(pkg, null, null, null, null, null, null, null);
          }
        } catch (IOException | IllegalArgumentException e) {
          // a manifest that cannot be read, or the package defined meanwhile: defined as it is
        }
      }
    }
    return defineClass(name, bytes, 0, length, sources[i]);
  }

  /**
   * One array for every class file read, grown to the largest: {@code defineClass} copies the
   * bytes, and {@link #define} runs under this loader's lock (which, as the loader is not
   * registered as parallel capable, is also the lock of every load).
   */
  private byte[] scratch(int size) {
    if (scratch.length < size) {
      scratch = new byte[Math.max(size, 2 * scratch.length)];
    }
    return scratch;
  }

  private static void readExactly(InputStream in, byte[] b, int size) throws IOException {
    int n = 0;
    while (n < size) {
      int r = in.read(b, n, size - n);
      if (r < 0) {
        throw new EOFException("class file shorter than its entry says");
      }
      n += r;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } finally {
      synchronized (this) {
        for (JarFile j : jars) {
          if (j != null) {
            j.close();
          }
        }
      }
    }
  }
}
