package io.procagent.agent;

import io.procagent.config.AgentArgs;
import io.procagent.config.AgentConfig;
import io.procagent.config.ConfigException;
import io.procagent.log.Log;
import java.lang.instrument.Instrumentation;

/**
 * Called by the bootstrap, on its {@code procagent-init} daemon thread and inside the private
 * class loader, for {@code -javaagent} and for attach. Never throws.
 */
public final class AgentMain {

  private static final Log LOG = Log.get(AgentMain.class);

  private AgentMain() {}

  /**
   * @param args the text after {@code procagent.jar=}
   * @param inst the JVM's instrumentation (for the children hook)
   * @param how "premain" or "agentmain"
   * @param jar path of procagent.jar
   * @return true when procagent started; false when it did not (bad config, already running)
   */
  public static boolean start(String args, Instrumentation inst, String how, String jar) {
    try {
      AgentConfig config;
      try {
        config = AgentArgs.resolve(args);
      } catch (ConfigException e) {
        LOG.error(e.getMessage() + "; procagent is not started, the application runs on");
        return false;
      }
      return new Agent(config, inst).start();
    } catch (Throwable t) {
      LOG.error("could not start, the application runs on without it: " + t);
      return false;
    }
  }
}
