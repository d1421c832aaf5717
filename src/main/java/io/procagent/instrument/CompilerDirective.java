package io.procagent.instrument;

import io.procagent.log.Log;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps the JVM's optimising compiler (C2) off procagent's own code with a compiler directive
 * (JEP 165), added when the agent starts: procagent's methods are compiled by C1 only.
 *
 * <p>Why: a scrape every 15 s or every second runs procagent's code a few hundred times a minute,
 * so its methods reach C2's thresholds one by one for minutes after start, and each C2
 * compilation costs the host tens of milliseconds of CPU and several MB of native memory that
 * glibc keeps afterwards ({@code bench/jit.sh}: C2 was half of the CPU a scrape cost at one a
 * second). C1 code is fast enough for work done once a scrape. The application's code, the JDK's
 * and client_java's (which an application may use itself) are not matched and compile as before.
 *
 * <p>The directive is added the way {@code jcmd PID Compiler.directives_add FILE} adds it, through
 * the JDK's diagnostic-command bean, called directly so that the platform MBean server is not
 * made. {@code jcmd PID Compiler.directives_print} shows it; {@code jit.c2: true} leaves it out.
 * It stays for the JVM's life (removing it later could remove a directive someone added after it,
 * and procagent's classes are not run once it stops).
 */
public final class CompilerDirective {

  private static final Log LOG = Log.get(CompilerDirective.class);

  /** The classes matched: procagent's, by the package prefix the jar's classes share. */
  static final String MATCH = "io/procagent/*.*";

  static final String DIRECTIVE = "[{ match: \"" + MATCH + "\", c2: { Exclude: true } }]\n";

  private CompilerDirective() {}

  /**
   * Adds the directive, through a file in the directory procagent's jar was unpacked to (only this
   * user can write there), deleted after; on any failure one log line and nothing else changes.
   *
   * @return whether the JVM took the directive
   */
  public static boolean add(Instrumentation inst) {
    Path file = null;
    try {
      Path jar = Path.of(CompilerDirective.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      file = jar.resolveSibling("procagent-compiler-directive.json");
      Files.write(file, DIRECTIVE.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.CREATE_NEW);
      String out = execute(inst, "Compiler.directives_add " + file);
      if (out.contains("1 compiler directives added")) {
        return true;
      }
      LOG.warn("the JVM refused procagent's compiler directive (C2 may compile procagent's code): " + out.strip());
    } catch (URISyntaxException | ReflectiveOperationException | IOException | RuntimeException | LinkageError e) {
      LOG.info("procagent's code may be compiled by C2 (no compiler directive: " + e + ")");
    } finally {
      try {
        if (file != null) {
          Files.deleteIfExists(file);
        }
      } catch (IOException e) {
        // the private directory is deleted at exit
      }
    }
    return false;
  }

  /**
   * Runs a diagnostic command in this JVM, as {@code jcmd} would, and returns its output. The
   * JDK-internal class is opened to procagent alone, with the agent's instrumentation.
   */
  static String execute(Instrumentation inst, String command) throws ReflectiveOperationException {
    Optional<Module> management = ModuleLayer.boot().findModule("jdk.management");
    if (management.isEmpty()) {
      throw new ClassNotFoundException("module jdk.management (not in this runtime)");
    }
    String pkg = "com.sun.management.internal";
    inst.redefineModule(
        management.get(), Set.of(), Map.of(), Map.of(pkg, Set.of(CompilerDirective.class.getModule())),
        Set.of(), Map.of());
    Class<?> impl = Class.forName(management.get(), pkg + ".DiagnosticCommandImpl");
    if (impl == null) {
      throw new ClassNotFoundException(pkg + ".DiagnosticCommandImpl");
    }
    Method bean = impl.getDeclaredMethod("getDiagnosticCommandMBean");
    Method execute = impl.getDeclaredMethod("executeDiagnosticCommand", String.class);
    bean.setAccessible(true);
    execute.setAccessible(true);
    Object dcmd = bean.invoke(null);
    if (dcmd == null) {
      throw new ReflectiveOperationException("this JVM runs no diagnostic commands for its own code");
    }
    return (String) execute.invoke(dcmd, command);
  }
}
