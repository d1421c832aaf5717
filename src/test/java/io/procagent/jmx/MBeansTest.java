package io.procagent.jmx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.io.IOException;
import java.time.Duration;
import javax.management.JMX;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import javax.management.openmbean.OpenType;
import org.junit.jupiter.api.Test;

class MBeansTest {

  final Fakes.Process process = new Fakes.Process();
  final Fakes.System system = new Fakes.System();
  final Errors errors = new Errors();
  final Sampler sampler = new Sampler(process, system, Duration.ofHours(1), () -> 2, errors);
  final MBeanServer server = MBeanServerFactory.newMBeanServer();
  final MBeans mbeans = new MBeans(server);

  AgentStatus status(int port, String text) {
    return new AgentStatus() {
      @Override
      public int port() {
        return port;
      }

      @Override
      public String status() {
        return text;
      }
    };
  }

  @Test
  void processAndSystemReadTheSampler() throws Exception {
    long t0 = System.nanoTime();
    process.next = Fakes.process(10, 2, t0);
    system.next = Fakes.system(100, 100, t0);
    sampler.tick();
    mbeans.registerTarget(sampler, true, true);
    ProcessMXBean p =
        JMX.newMXBeanProxy(server, new ObjectName("procagent:type=Process"), ProcessMXBean.class);
    assertThat(p.getPid()).isEqualTo(4242);
    assertThat(p.getCpuSeconds()).isEqualTo(12.0);
    assertThat(p.getUser()).isEqualTo("app");
    assertThat(p.getStartTime()).isEqualTo("2023-11-14T22:13:20Z");
    assertThat(p.getOpenFds()).isEqualTo(23);
    assertThat(p.getMinorPageFaults()).isEqualTo(4000);
    assertThat(p.getMajorPageFaults()).isEqualTo(7);
    SystemCpuMXBean s =
        JMX.newMXBeanProxy(server, new ObjectName("procagent:type=SystemCpu"), SystemCpuMXBean.class);
    assertThat(s.getHostname()).isEqualTo("host1");
    assertThat(s.getLoadAverage1m()).isEqualTo(0.5);
    assertThat(s.getCpuSecondsByMode()).containsEntry("user", 110.0).hasSize(8);
    assertThat(s.getInterrupts()).isEqualTo(7000);
    assertThat(s.getSoftInterrupts()).isEqualTo(9000);
    assertThat(s.getProcsRunning()).isEqualTo(3);
    assertThat(s.getProcsBlocked()).isEqualTo(1);
    // second window: cpu0 busy 30 of 40 -> 75 %
    process.next = Fakes.process(11, 2, t0 + 1_000_000_000L);
    system.next = Fakes.system(130, 110, t0 + 1_000_000_000L);
    sampler.tick();
    assertThat(s.getPerCpuUtilizationPercent()).containsKeys("cpu0", "cpu1");
    assertThat(s.getPerCpuUtilizationPercent().get("cpu0")).isCloseTo(75.0, within(1e-6));
    assertThat(p.getCpuUtilizationPercent()).isCloseTo(50.0, within(1e-6));
    // two rounds (this fake reads whole for the CPU too) and one read for all the JMX getters
    assertThat(process.reads).isEqualTo(3);
  }

  @Test
  void everyAttributeIsAnOpenType() throws Exception {
    process.next = Fakes.process(1, 1, System.nanoTime());
    system.next = Fakes.system(1, 1, System.nanoTime());
    mbeans.registerAgent("1.0", AgentConfig.defaults(), status(9494, "serving"), errors);
    mbeans.registerTarget(sampler, true, true);
    for (ObjectName on : server.queryNames(new ObjectName("procagent:*"), null)) {
      for (MBeanAttributeInfo a : server.getMBeanInfo(on).getAttributes()) {
        assertThat(a.getDescriptor().getFieldValue("openType")).as(on + " " + a.getName()).isInstanceOf(OpenType.class);
        assertThat(a.isWritable()).as("read-only " + a.getName()).isFalse();
        server.getAttribute(on, a.getName());
      }
      assertThat(server.getMBeanInfo(on).getOperations()).isEmpty();
    }
  }

  @Test
  void agentBeanAndSecondRegistrationRefused() throws Exception {
    errors.record("process", new IOException("boom"));
    assertThat(mbeans.registerAgent("1.0", AgentConfig.defaults(), status(9494, "serving"), errors)).isTrue();
    AgentMXBean a = JMX.newMXBeanProxy(server, new ObjectName(MBeans.AGENT), AgentMXBean.class);
    assertThat(a.getPort()).isEqualTo(9494);
    assertThat(a.getEndpoint()).isEqualTo("http://0.0.0.0:9494/metrics");
    assertThat(a.getConfigSource()).isEqualTo("defaults");
    assertThat(a.getCollectorErrors()).containsEntry("process", 1L);
    assertThat(a.getLastError()).contains("boom");
    assertThat(new MBeans(server).registerAgent("2.0", AgentConfig.defaults(), status(1, ""), errors)).isFalse();
    mbeans.unregisterAll();
    assertThat(server.queryNames(new ObjectName("procagent:*"), null)).isEmpty();
  }
}
