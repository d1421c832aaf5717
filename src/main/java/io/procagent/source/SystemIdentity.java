package io.procagent.source;

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
    String hostname, String os, String kernel, String arch, int logicalCpus, int physicalCpus) {}
