package io.procagent.source.oshi;

import oshi.spi.SystemInfoProvider;

/**
 * Builds OSHI's entry point directly, never through {@code SystemInfoFactory} (ServiceLoader plus
 * the context class loader would mix in the application's OSHI): the native-free provider on
 * Linux, so JNA is not even loaded there, and the JNA-backed one elsewhere.
 */
final class OshiPlatform {

  private OshiPlatform() {}

  static SystemInfoProvider create() {
    if (System.getProperty("os.name", "").startsWith("Linux")) {
      return new oshi.nativefree.SystemInfo();
    }
    return new oshi.SystemInfo();
  }
}
