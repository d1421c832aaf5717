package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Without the helper's package exported (this test JVM has no {@code --add-exports} for it and no
 * agent's instrumentation), the beans are ManagementFactory's; AgentIT shows the exported path in
 * a real host, on both JDKs.
 */
class PlatformBeansTest {

  @Test
  void withoutTheHelperTheBeansAreManagementFactorys() {
    PlatformBeans.open(null);
    assertThat(PlatformBeans.direct()).isFalse();
    assertThat(PlatformBeans.memory()).isSameAs(ManagementFactory.getMemoryMXBean());
    assertThat(PlatformBeans.memoryPools()).isEqualTo(ManagementFactory.getMemoryPoolMXBeans());
    assertThat(PlatformBeans.garbageCollectors()).isEqualTo(ManagementFactory.getGarbageCollectorMXBeans()).isNotEmpty();
    assertThat(PlatformBeans.classLoading()).isSameAs(ManagementFactory.getClassLoadingMXBean());
    assertThat(PlatformBeans.compilation()).isSameAs(ManagementFactory.getCompilationMXBean());
    assertThat(PlatformBeans.threads().getThreadCount()).isPositive();
    assertThat(PlatformBeans.bufferPools()).extracting(b -> b.getName()).contains("direct", "mapped");
  }
}
