package io.procagent.jmx;

import io.procagent.config.AgentConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.util.ArrayList;
import java.util.List;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/** Registers and unregisters procagent's MXBeans in one MBean server. */
public final class MBeans {

  public static final String DOMAIN = "procagent";
  public static final String AGENT = DOMAIN + ":type=Agent";

  private final MBeanServer server;
  private final List<ObjectName> registered = new ArrayList<>();

  public MBeans(MBeanServer server) {
    this.server = server;
  }

  /**
   * Registers {@code procagent:type=Agent}.
   *
   * @return false when another procagent already registered it in this server
   */
  public boolean registerAgent(
      String version, AgentConfig config, AgentStatus status, Errors errors) throws JMException {
    try {
      register(
          AGENT, new StandardMBean(new AgentView(version, config, status, errors), AgentMXBean.class, true));
      return true;
    } catch (InstanceAlreadyExistsException e) {
      return false;
    }
  }

  /** Registers {@code type=Process} and {@code type=SystemCpu} over {@code sampler}. */
  public void registerTarget(Sampler sampler, boolean process, boolean system)
      throws JMException {
    if (process) {
      register(
          DOMAIN + ":type=Process",
          new StandardMBean(new ProcessView(sampler), ProcessMXBean.class, true));
    }
    if (system) {
      register(
          DOMAIN + ":type=SystemCpu",
          new StandardMBean(new SystemCpuView(sampler), SystemCpuMXBean.class, true));
    }
  }

  /**
   * Registers {@code procagent:type=Process,target=NAME} and {@code type=Children,target=NAME}
   * for one daemon target (names are restricted to characters ObjectName takes unquoted).
   */
  public void registerDaemonTarget(String target, Sampler sampler) throws JMException {
    register(
        DOMAIN + ":type=Process,target=" + target,
        new StandardMBean(new ProcessView(sampler), ProcessMXBean.class, true));
    register(
        DOMAIN + ":type=Children,target=" + target,
        new StandardMBean(new ChildrenView(sampler, null), ChildrenMXBean.class, true));
  }

  /** Registers {@code type=SystemCpu} alone (the daemon's host). */
  public void registerSystem(Sampler sampler) throws JMException {
    registerTarget(sampler, false, true);
  }

  /** Registers {@code type=Children}. */
  public void registerChildren(Sampler sampler, io.procagent.sampler.Launches launches) throws JMException {
    register(
        DOMAIN + ":type=Children",
        new StandardMBean(new ChildrenView(sampler, launches), ChildrenMXBean.class, true));
  }

  private void register(String name, Object bean) throws JMException {
    ObjectName on = new ObjectName(name);
    server.registerMBean(bean, on);
    synchronized (registered) {
      registered.add(on);
    }
  }

  public void unregisterAll() {
    synchronized (registered) {
      for (ObjectName on : registered) {
        try {
          server.unregisterMBean(on);
        } catch (JMException e) {
          // already gone
        }
      }
      registered.clear();
    }
  }
}
