package io.procagent.source;

import java.util.Objects;

/**
 * What rarely changes about the host: read once, like {@code uname}.
 *
 * @param hostname node name
 * @param os kernel name, e.g. Linux
 * @param kernel kernel release, e.g. 6.1.0-18-amd64
 * @param arch machine, e.g. x86_64
 * @param logicalCpus logical CPUs online
 * @param physicalCpus physical cores, 0 when unknown
 */
public record SystemIdentity(
    String hostname, String os, String kernel, String arch, int logicalCpus, int physicalCpus) {

  // equals and hashCode written out: a record's own are bootstrapped through
  // java.lang.runtime.ObjectMethods, which spins method-handle classes in the host at first use

  @Override
  public boolean equals(Object o) {
    return o instanceof SystemIdentity i
        && Objects.equals(hostname, i.hostname)
        && Objects.equals(os, i.os)
        && Objects.equals(kernel, i.kernel)
        && Objects.equals(arch, i.arch)
        && logicalCpus == i.logicalCpus
        && physicalCpus == i.physicalCpus;
  }

  @Override
  public int hashCode() {
    return Objects.hash(hostname, os, kernel, arch, logicalCpus, physicalCpus);
  }
}
