package io.procagent.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the text after {@code -javaagent:procagent.jar=}. Two forms:
 *
 * <ul>
 *   <li>jmx_exporter's {@code [HOST:]PORT[:CONFIG.yaml]}, e.g. {@code 9494}, {@code
 *       127.0.0.1:9494}, {@code [::1]:9494}, {@code 9494:/etc/procagent.yaml};
 *   <li>explicit {@code key=value} pairs separated by commas: {@code
 *       port=9494,host=127.0.0.1,config=/etc/procagent/procagent.yaml}.
 * </ul>
 *
 * Host and port given here win over the config file's {@code http} section. Empty arguments
 * mean the embedded defaults.
 */
public final class AgentArgs {

  private static final Pattern SHORT =
      Pattern.compile("^(?:((?:[A-Za-z0-9_.\\-]+)|(?:\\[[0-9A-Fa-f:.%a-z]+])):)?(\\d{1,5})(?::(.+))?$");

  private AgentArgs() {}

  /** Resolves agent arguments (and the config file they name) to a full configuration. */
  public static AgentConfig resolve(String args) throws ConfigException {
    String text = args == null ? "" : args.trim();
    if (text.isEmpty()) {
      return AgentConfig.defaults();
    }
    String host = null;
    String port = null;
    String config = null;
    if (text.contains("=")) {
      Map<String, String> given = new HashMap<>();
      for (String part : text.split(",")) {
        int eq = part.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException(
              "agent argument '" + part + "' is not key=value (keys: port, host, config)");
        }
        String key = part.substring(0, eq).trim().toLowerCase(Locale.ROOT);
        String value = part.substring(eq + 1).trim();
        if (value.isEmpty()) {
          throw new ConfigException("agent argument '" + key + "' has an empty value");
        }
        if (!key.equals("port") && !key.equals("host") && !key.equals("config")) {
          throw new ConfigException("unknown agent argument '" + key + "' (known: port, host, config)");
        }
        if (given.putIfAbsent(key, value) != null) {
          throw new ConfigException("agent argument '" + key + "' is given twice");
        }
      }
      host = given.get("host");
      port = given.get("port");
      config = given.get("config");
    } else {
      Matcher m = SHORT.matcher(text);
      if (!m.matches()) {
        throw new ConfigException(
            "agent arguments '"
                + text
                + "' are not [HOST:]PORT[:CONFIG.yaml] nor port=N,host=H,config=FILE");
      }
      host = m.group(1);
      port = m.group(2);
      config = m.group(3);
    }
    return resolve(host, port, config, "agent argument ", "agent arguments");
  }

  /**
   * The daemon's {@code --host}, {@code --port} and {@code --config} (null when not given), each
   * value taken whole: never split at {@code ,} or {@code =} as agent arguments are, so that
   * {@code --port 1,host=x} is a bad port rather than a second setting.
   */
  public static AgentConfig fromFlags(String host, String port, String config) throws ConfigException {
    if (host == null && port == null && config == null) {
      return AgentConfig.defaults();
    }
    return resolve(host, port, config, "option --", "command line");
  }

  /**
   * @param what how errors name a setting: {@code "agent argument "} or {@code "option --"}
   * @param source what the configuration is said to come from when there is no file
   */
  private static AgentConfig resolve(String host, String port, String config, String what, String source)
      throws ConfigException {
    AgentConfig base = AgentConfig.defaults();
    if (config != null) {
      base = ConfigFile.load(Path.of(config), base);
    }
    String finalHost = host == null ? base.host() : stripBrackets(validHost(host, what));
    int finalPort = port == null ? base.port() : parsePort(port, what);
    return base.withHttp(finalHost, finalPort, config != null ? config : source);
  }

  private static String validHost(String host, String what) throws ConfigException {
    if (host.length() > 253 || !host.matches("[A-Za-z0-9._:\\-\\[\\]%]+")) {
      throw new ConfigException(what + "host '" + host + "' is not a host name or address");
    }
    return host;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]")
        ? host.substring(1, host.length() - 1)
        : host;
  }

  private static int parsePort(String port, String what) throws ConfigException {
    try {
      int n = Integer.parseInt(port);
      if (n >= 0 && n <= 65535) {
        return n;
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new ConfigException(what + "port '" + port + "' is not a port number 0..65535");
  }
}
