package io.procagent.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JarLoaderTest {

  /** Defined again, from a jar, by the loaders under test. */
  public static class Base {
    public String hello() {
      return "base";
    }
  }

  public static class Fixture extends Base {
    @Override
    public String hello() {
      return "fixture";
    }
  }

  @TempDir Path dir;

  @Test
  void definesClassesFromTheFirstJarThatHasThemWithOneCodeSourcePerJar() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.jar"), "not a jar");
    Path first = jar("first.jar", "1.2.3", "note.txt", Base.class, Fixture.class);
    Path second = jar("second.jar", "9.9.9", "other.txt", Fixture.class);
    try (JarLoader loader = loader(broken, first, second)) {
      Class<?> fixture = loader.loadClass(Fixture.class.getName());
      assertThat(fixture).isNotSameAs(Fixture.class);
      assertThat(fixture.getClassLoader()).isSameAs(loader);
      assertThat(fixture.getSuperclass().getClassLoader()).isSameAs(loader);
      assertThat(fixture.getMethod("hello").invoke(fixture.getConstructor().newInstance())).isEqualTo("fixture");
      assertThat(fixture.getProtectionDomain().getCodeSource().getLocation()).isEqualTo(first.toUri().toURL());
      assertThat(fixture.getProtectionDomain())
          .isSameAs(fixture.getSuperclass().getProtectionDomain()); // one per jar, not per class
      assertThat(fixture.getPackage().getImplementationVersion()).isEqualTo("1.2.3"); // the jar's manifest
      assertThat(loader.loadClass(Fixture.class.getName())).isSameAs(fixture);
      assertThat(loader.getName()).isEqualTo("procagent");
    }
  }

  @Test
  void theJdksNamesComeFromTheParentAndResourcesFromEveryJar() throws Exception {
    Path first = jar("first.jar", "1", "note.txt", Base.class);
    Path second = jar("second.jar", "2", "other.txt", Fixture.class);
    try (JarLoader loader = loader(first, second)) {
      assertThat(loader.loadClass("java.lang.String")).isSameAs(String.class);
      assertThat(loader.loadClass("java.sql.Connection")).isSameAs(java.sql.Connection.class); // platform
      URL other = loader.getResource("other.txt");
      assertThat(other).isNotNull();
      try (InputStream in = other.openStream()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("other.txt");
      }
      assertThatThrownBy(() -> loader.loadClass("io.procagent.NoSuchClass"))
          .isInstanceOf(ClassNotFoundException.class)
          .hasMessageContaining("io.procagent.NoSuchClass");
      // the application's classes are not seen: the parent is the platform loader
      assertThatThrownBy(() -> loader.loadClass(JarLoaderTest.class.getName())).isInstanceOf(ClassNotFoundException.class);
    }
  }

  @Test
  void resourceStreamsComeFromTheOpenJarsFirstAndTheJdksFromTheParent() throws Exception {
    Path parentJar = textJar("parent.jar", "note.txt", "from the parent");
    Path first = textJar("first.jar", "note.txt", "from the first");
    Path second = textJar("second.jar", "note.txt", "from the second", "only-second.txt", "only in the second");
    try (URLClassLoader parent = new URLClassLoader(new URL[] {parentJar.toUri().toURL()}, null);
        JarLoader loader = new JarLoader(new File[] {first.toFile(), second.toFile()}, parent);
        JarLoader underPlatform = loader(first)) {
      // procagent's names are its own first, as its classes are (URLClassLoader asks the parent)
      assertThat(text(loader.getResourceAsStream("note.txt"))).isEqualTo("from the first");
      assertThat(text(loader.getResourceAsStream("only-second.txt"))).isEqualTo("only in the second");
      assertThat(loader.getResourceAsStream("missing.txt")).isNull();
      // the JDK's come from the runtime image, through the parent
      assertThat(text(underPlatform.getResourceAsStream("java/lang/Object.class"))).isNotEmpty();
    }
  }

  /**
   * A copy deleted since the start (systemd-tmpfiles removes unopened files in /tmp after ten
   * days) is unpacked again from procagent.jar, if that still holds the same bytes.
   */
  @Test
  void aJarDeletedSinceTheStartIsUnpackedAgainFromTheSameBytesOnly() throws Exception {
    Path inner = jar("first.jar", "1", "note.txt", Base.class, Fixture.class);
    Path origin = dir.resolve("procagent.jar");
    long crc = outer(origin, inner);
    Path unpacked = Files.createDirectory(dir.resolve("unpacked"));
    Path copy = Files.copy(inner, unpacked.resolve("first.jar"));
    Path tmp = Files.createDirectory(dir.resolve("tmp"));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream stderr = System.err;
    String tmpdir = System.getProperty("java.io.tmpdir");
    System.setProperty("java.io.tmpdir", tmp.toString());
    System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    try (JarLoader loader = new JarLoader(new File[] {copy.toFile()}, ClassLoader.getPlatformClassLoader(),
            origin.toFile(), new String[] {"inst/lib/first.jar"}, new long[] {crc});
        JarLoader changed = new JarLoader(new File[] {copy.toFile()}, ClassLoader.getPlatformClassLoader(),
            origin.toFile(), new String[] {"inst/lib/first.jar"}, new long[] {crc + 1})) {
      Files.delete(copy);
      Files.delete(unpacked);
      Class<?> fixture = loader.loadClass(Fixture.class.getName());
      assertThat(fixture.getMethod("hello").invoke(fixture.getConstructor().newInstance())).isEqualTo("fixture");
      assertThat(text(loader.getResourceAsStream("note.txt"))).isEqualTo("note.txt");
      String line = err.toString(StandardCharsets.UTF_8);
      assertThat(line).startsWith("procagent: " + copy + " was deleted since procagent started (a cleaner of java.io.tmpdir?); "
          + "it and the others needed are unpacked again from " + origin + " into " + tmp + "/procagent-");
      assertThat(line.lines()).hasSize(1);
      err.reset();
      // procagent.jar replaced meanwhile (CRC not the one unpacked): nothing is loaded from it
      assertThatThrownBy(() -> changed.loadClass(Fixture.class.getName())).isInstanceOf(ClassNotFoundException.class);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .isEqualTo("procagent: " + copy + " was deleted since procagent started (a cleaner of java.io.tmpdir?), and "
              + origin + " has changed since: the classes in it are not loaded\n");
    } finally {
      System.setErr(stderr);
      System.setProperty("java.io.tmpdir", tmpdir);
    }
  }

  /** A procagent.jar holding {@code inner} as {@code inst/lib/NAME}; returns that entry's CRC-32. */
  private static long outer(Path origin, Path inner) throws IOException {
    try (OutputStream file = Files.newOutputStream(origin);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("inst/lib/" + inner.getFileName()));
      out.write(Files.readAllBytes(inner));
      out.closeEntry();
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(Files.readAllBytes(inner));
    return crc.getValue();
  }

  private static String text(InputStream in) throws IOException {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A jar of text resources: names and contents, in pairs. */
  private Path textJar(String name, String... nameThenContent) throws IOException {
    Path jar = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      for (int i = 0; i < nameThenContent.length; i += 2) {
        out.putNextEntry(new JarEntry(nameThenContent[i]));
        out.write(nameThenContent[i + 1].getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void onlyTheJdksNamesAreAskedOfTheParentFirst() {
    assertThat(JarLoader.jdkName("java.lang.String")).isTrue();
    assertThat(JarLoader.jdkName("javax.management.ObjectName")).isTrue();
    assertThat(JarLoader.jdkName("jdk.jfr.Event")).isTrue();
    assertThat(JarLoader.jdkName("sun.misc.Unsafe")).isTrue();
    assertThat(JarLoader.jdkName("com.sun.management.OperatingSystemMXBean")).isTrue();
    assertThat(JarLoader.jdkName("com.sun.jna.Native")).isFalse(); // JNA, one of ours
    assertThat(JarLoader.jdkName("io.prometheus.metrics.model.snapshots.Labels")).isFalse();
    assertThat(JarLoader.jdkName("io.procagent.agent.AgentMain")).isFalse();
    assertThat(JarLoader.jdkName("oshi.SystemInfo")).isFalse();
  }

  private JarLoader loader(Path... jars) throws Exception {
    File[] files = new File[jars.length];
    for (int i = 0; i < jars.length; i++) {
      files[i] = jars[i].toFile();
    }
    return new JarLoader(files, ClassLoader.getPlatformClassLoader());
  }

  /** A jar with {@code classes}' class files, a text resource and Implementation-Version. */
  private Path jar(String name, String version, String resource, Class<?>... classes) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
    Path jar = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest)) {
      for (Class<?> c : classes) {
        String path = c.getName().replace('.', '/') + ".class";
        out.putNextEntry(new JarEntry(path));
        try (InputStream in = c.getClassLoader().getResourceAsStream(path)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
      out.putNextEntry(new JarEntry(resource));
      out.write(resource.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
