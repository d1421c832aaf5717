package io.procagent.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Parses procagent's YAML config file. Every key is known: an unknown key, a wrong type or a
 * value out of range is a {@link ConfigException} naming the file, line and dotted key.
 *
 * <pre>
 * http:
 *   host: 127.0.0.1        # default 0.0.0.0
 *   port: 9494             # 0 = any free port
 *   basic_auth:
 *     username: prometheus
 *     password_hash: "$2y$10$..."   # or password_hash_file: PATH, or password_hash_env: VAR
 *     healthy_open: true            # /-/healthy without credentials
 *   tls:
 *     cert_file: /etc/procagent/cert.pem   # and key_file (PKCS#8 PEM); or keystore: FILE.p12
 *     key_file: /etc/procagent/key.pem     # keystore_type, keystore_password[_file|_env]
 *     client_ca_file: /etc/procagent/ca.pem  # mutual TLS; client_auth: require|optional|none
 * sampling:
 *   interval: 5s           # utilisation window; 100ms .. 1h
 *   cache_ttl: 1s          # scrapes within this share one OS read; 0s .. interval
 * collectors:
 *   process: true          # or { enabled: true }
 *   system: true
 *   jvm: { enabled: true, thread_states: false }
 *   children:
 *     enabled: true        # scan live descendants every sampling round
 *     max_commands: 20     # command labels before the rest fold into "other"
 *     launches: true       # record every child started through ProcessBuilder
 *     arguments: false     # show redacted command lines in JMX
 *     recent_exits: 20
 *     max_listed: 200
 * jmx:
 *   enabled: true
 *   delay: 0s
 * targets:                 # daemon only
 *   - name: nginx
 *     comm: "^nginx$"      # also: pid, pidfile, cmdline, user; all given must match
 *     children: false      # also sum the matched processes' descendants
 * </pre>
 */
public final class ConfigFile {

  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");
  private static final Pattern SHARE = Pattern.compile("(\\d+(?:\\.\\d+)?)(%)?");
  private static final long MAX_BYTES = 1 << 20;

  private final String file;

  private ConfigFile(String file) {
    this.file = file;
  }

  /** Reads {@code path} and applies it on top of {@code base}. */
  public static AgentConfig load(Path path, AgentConfig base) throws ConfigException {
    String text;
    try {
      if (Files.size(path) > MAX_BYTES) {
        throw new ConfigException("config file " + path + " is larger than 1 MiB");
      }
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException("cannot read config file " + path + ": " + describe(e), e);
    }
    return parse(path.toString(), text, base);
  }

  private static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    return switch (kind) {
      case "NoSuchFileException" -> "no such file";
      case "AccessDeniedException" -> "permission denied";
      default -> e.getMessage() == null ? kind : e.getMessage();
    };
  }

  /** Parses YAML {@code text} (named {@code file} in messages) on top of {@code base}. */
  public static AgentConfig parse(String file, String text, AgentConfig base)
      throws ConfigException {
    return new ConfigFile(file).parse(text, base);
  }

  private AgentConfig parse(String text, AgentConfig base) throws ConfigException {
    Node root;
    try (Reader r = new StringReader(text)) {
      LoaderOptions options = new LoaderOptions();
      options.setMaxAliasesForCollections(10);
      options.setNestingDepthLimit(20);
      options.setCodePointLimit((int) MAX_BYTES);
      root = new Yaml(new SafeConstructor(options)).compose(r);
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark();
      throw new ConfigException(
          file + (m == null ? "" : " line " + (m.getLine() + 1)) + ": invalid YAML: "
              + e.getProblem());
    } catch (YAMLException | IOException e) {
      throw new ConfigException(file + ": invalid YAML: " + e.getMessage());
    }
    String host = base.host();
    int port = base.port();
    BasicAuthConfig auth = base.basicAuth();
    TlsConfig tls = base.tls();
    Duration requestTimeout = base.httpLimits().requestTimeout();
    double cpuLimit = base.httpLimits().cpuLimit();
    Duration interval = base.samplingInterval();
    Duration cacheTtl = base.cacheTtl();
    boolean process = base.processCollector();
    boolean system = base.systemCollector();
    boolean jvm = base.jvmCollector();
    boolean threadStates = base.jvmThreadStates();
    ChildrenConfig children = base.children();
    List<TargetConfig> targets = base.targets();
    boolean jmx = base.jmxEnabled();
    Duration jmxDelay = base.jmxDelay();
    boolean jitC2 = base.jitC2();
    if (root != null) {
      for (Map.Entry<String, Node> top : entries(root, "").entrySet()) {
        String section = top.getKey();
        Node node = top.getValue();
        switch (section) {
          case "http" -> {
            for (Map.Entry<String, Node> e : entries(node, "http").entrySet()) {
              switch (e.getKey()) {
                case "host" -> host = host(e.getValue(), "http.host");
                case "port" -> port = integer(e.getValue(), "http.port", 0, 65535);
                case "basic_auth" -> auth = basicAuth(e.getValue());
                case "tls" -> tls = tls(e.getValue());
                case "request_timeout" -> requestTimeout =
                    duration(e.getValue(), "http.request_timeout", 1000, 300_000);
                case "cpu_limit" -> cpuLimit = cpuLimit(e.getValue(), "http.cpu_limit");
                default -> throw unknown(
                    e.getValue(), "http." + e.getKey(), "host, port, basic_auth, tls, request_timeout, cpu_limit");
              }
            }
          }
          case "sampling" -> {
            boolean ttlGiven = false;
            for (Map.Entry<String, Node> e : entries(node, "sampling").entrySet()) {
              switch (e.getKey()) {
                case "interval" -> interval =
                    duration(e.getValue(), "sampling.interval", 100, 3_600_000);
                case "cache_ttl" -> {
                  cacheTtl = duration(e.getValue(), "sampling.cache_ttl", 0, 3_600_000);
                  ttlGiven = true;
                }
                default -> throw unknown(
                    e.getValue(), "sampling." + e.getKey(), "interval, cache_ttl");
              }
            }
            if (cacheTtl.compareTo(interval) > 0 && !ttlGiven) {
              cacheTtl = interval; // a short interval shortens the default cache with it
            }
            if (cacheTtl.compareTo(interval) > 0) {
              throw new ConfigException(
                  at(node) + "sampling.cache_ttl (" + cacheTtl.toMillis()
                      + "ms) must not exceed sampling.interval (" + interval.toMillis() + "ms)");
            }
          }
          case "collectors" -> {
            for (Map.Entry<String, Node> e : entries(node, "collectors").entrySet()) {
              String key = "collectors." + e.getKey();
              Node v = e.getValue();
              switch (e.getKey()) {
                case "process" -> process = onOff(v, key, Set.of());
                case "system" -> system = onOff(v, key, Set.of());
                case "jvm" -> {
                  jvm = onOff(v, key, Set.of("thread_states"));
                  if (v instanceof MappingNode) {
                    Node ts = entries(v, key).get("thread_states");
                    if (ts != null) {
                      threadStates = bool(ts, key + ".thread_states");
                    }
                  }
                }
                case "children" -> children = children(v, key, children);
                default -> throw unknown(v, key, "process, system, jvm, children");
              }
            }
          }
          case "jmx" -> {
            for (Map.Entry<String, Node> e : entries(node, "jmx").entrySet()) {
              switch (e.getKey()) {
                case "enabled" -> jmx = bool(e.getValue(), "jmx.enabled");
                case "delay" -> jmxDelay = duration(e.getValue(), "jmx.delay", 0, 600_000);
                default -> throw unknown(e.getValue(), "jmx." + e.getKey(), "enabled, delay");
              }
            }
          }
          case "jit" -> {
            for (Map.Entry<String, Node> e : entries(node, "jit").entrySet()) {
              switch (e.getKey()) {
                case "c2" -> jitC2 = bool(e.getValue(), "jit.c2");
                default -> throw unknown(e.getValue(), "jit." + e.getKey(), "c2");
              }
            }
          }
          case "targets" -> targets = targets(node);
          default -> throw unknown(node, section, "http, sampling, collectors, jmx, jit, targets");
        }
      }
    }
    return new AgentConfig(
        host, port, auth, tls, new HttpLimits(requestTimeout, cpuLimit), file, interval, cacheTtl, process, system, jvm, threadStates, children,
        targets, jmx, jmxDelay, jitC2);
  }

  private TlsConfig tls(Node node) throws ConfigException {
    String keystore = null;
    String type = "PKCS12";
    String password = "";
    String cert = null;
    String key = null;
    String ca = null;
    String clientAuth = null;
    for (Map.Entry<String, Node> e : entries(node, "http.tls").entrySet()) {
      String k = "http.tls." + e.getKey();
      Node v = e.getValue();
      switch (e.getKey()) {
        case "keystore" -> keystore = readable(v, k);
        case "keystore_type" -> {
          type = scalar(v, k, "PKCS12 or JKS").toUpperCase(Locale.ROOT);
          if (!type.equals("PKCS12") && !type.equals("JKS")) {
            throw new ConfigException(at(v) + k + ": expected PKCS12 or JKS, got '" + type + "'");
          }
        }
        case "keystore_password" -> password = scalar(v, k, "a password");
        case "keystore_password_file" -> {
          try {
            password = Files.readString(Path.of(readable(v, k)), StandardCharsets.UTF_8).strip();
          } catch (IOException io) {
            throw new ConfigException(at(v) + k + ": " + describe(io));
          }
        }
        case "keystore_password_env" -> {
          String name = scalar(v, k, "a variable name");
          password = System.getenv(name);
          if (password == null) {
            throw new ConfigException(at(v) + k + ": environment variable " + name + " is not set");
          }
        }
        case "cert_file" -> cert = readable(v, k);
        case "key_file" -> key = readable(v, k);
        case "client_ca_file" -> ca = readable(v, k);
        case "client_auth" -> {
          clientAuth = scalar(v, k, "none, optional or require").toLowerCase(Locale.ROOT);
          if (!Set.of("none", "optional", "require").contains(clientAuth)) {
            throw new ConfigException(at(v) + k + ": expected none, optional or require, got '" + clientAuth + "'");
          }
        }
        default -> throw unknown(v, k, "keystore, keystore_type, keystore_password[_file|_env], cert_file, key_file, client_ca_file, client_auth");
      }
    }
    if ((keystore == null) == (cert == null || key == null) || (cert == null) != (key == null)) {
      throw new ConfigException(at(node) + "http.tls needs either keystore, or cert_file and key_file");
    }
    if (clientAuth == null) {
      clientAuth = ca == null ? "none" : "require";
    }
    if (!clientAuth.equals("none") && ca == null) {
      throw new ConfigException(at(node) + "http.tls.client_auth " + clientAuth + " needs client_ca_file");
    }
    return new TlsConfig(keystore, type, password, cert, key, ca, clientAuth);
  }

  private String readable(Node v, String key) throws ConfigException {
    String path = scalar(v, key, "a file path");
    if (!Files.isReadable(Path.of(path)) || Files.isDirectory(Path.of(path))) {
      throw new ConfigException(at(v) + key + ": cannot read " + path);
    }
    return path;
  }

  private BasicAuthConfig basicAuth(Node node) throws ConfigException {
    String user = null;
    String hash = null;
    String from = null;
    boolean healthyOpen = true;
    for (Map.Entry<String, Node> e : entries(node, "http.basic_auth").entrySet()) {
      String k = "http.basic_auth." + e.getKey();
      Node v = e.getValue();
      switch (e.getKey()) {
        case "username" -> user = scalar(v, k, "a user name");
        case "password_hash", "password_hash_file", "password_hash_env" -> {
          if (from != null) {
            throw new ConfigException(at(v) + k + ": give only one of password_hash, password_hash_file, password_hash_env");
          }
          from = e.getKey();
          String value = scalar(v, k, "a string");
          hash = switch (e.getKey()) {
            case "password_hash" -> value;
            case "password_hash_file" -> {
              try {
                yield Files.readString(Path.of(value), StandardCharsets.UTF_8).trim();
              } catch (IOException io) {
                throw new ConfigException(at(v) + k + ": cannot read " + value + ": " + describe(io));
              }
            }
            default -> {
              String env = System.getenv(value);
              if (env == null || env.isBlank()) {
                throw new ConfigException(at(v) + k + ": environment variable " + value + " is not set");
              }
              yield env.trim();
            }
          };
          if (!io.procagent.prometheus.PasswordHash.supported(hash)) {
            throw new ConfigException(at(v) + k + ": not a bcrypt ($2a$/$2b$/$2y$) or pbkdf2_sha256$ITER$SALT$HASH hash"
                + " (make one with: java -jar procagent.jar hash-password)");
          }
        }
        case "healthy_open" -> healthyOpen = bool(v, k);
        default -> throw unknown(v, k, "username, password_hash, password_hash_file, password_hash_env, healthy_open");
      }
    }
    if (user == null || user.isEmpty() || hash == null) {
      throw new ConfigException(at(node) + "http.basic_auth needs a username and one of password_hash, password_hash_file, password_hash_env");
    }
    return new BasicAuthConfig(user, hash, healthyOpen);
  }

  private List<TargetConfig> targets(Node node) throws ConfigException {
    if (!(node instanceof org.yaml.snakeyaml.nodes.SequenceNode seq)) {
      throw new ConfigException(at(node) + "'targets' must be a list");
    }
    List<TargetConfig> out = new java.util.ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Node item : seq.getValue()) {
      String name = null;
      long pid = -1;
      String pidfile = null;
      java.util.regex.Pattern comm = null;
      java.util.regex.Pattern cmdline = null;
      String user = null;
      boolean withChildren = false;
      for (Map.Entry<String, Node> e : entries(item, "targets[]").entrySet()) {
        String k = "targets[]." + e.getKey();
        Node v = e.getValue();
        try {
          switch (e.getKey()) {
            case "name" -> {
              name = scalar(v, k, "a name");
              TargetConfig.checkName(name);
            }
            case "pid" -> pid = TargetConfig.pid(String.valueOf(name), scalar(v, k, "a pid"));
            case "pidfile" -> pidfile = scalar(v, k, "a path");
            case "comm" -> comm = TargetConfig.regex("comm", scalar(v, k, "a regex"));
            case "cmdline" -> cmdline = TargetConfig.regex("cmdline", scalar(v, k, "a regex"));
            case "user" -> user = TargetConfig.user(String.valueOf(name), scalar(v, k, "a user name or uid"));
            case "children" -> withChildren = bool(v, k);
            default -> throw unknown(v, k, "name, pid, pidfile, comm, cmdline, user, children");
          }
        } catch (ConfigException ce) {
          throw ce.getMessage().startsWith(file) ? ce : new ConfigException(at(v) + ce.getMessage());
        }
      }
      if (name == null) {
        throw new ConfigException(at(item) + "a target needs a name");
      }
      if (!names.add(name)) {
        throw new ConfigException(at(item) + "duplicate target name '" + name + "'");
      }
      try {
        out.add(TargetConfig.checked(new TargetConfig(name, pid, pidfile, comm, cmdline, user, withChildren)));
      } catch (ConfigException ce) {
        throw new ConfigException(at(item) + ce.getMessage());
      }
    }
    return List.copyOf(out);
  }

  private ChildrenConfig children(Node node, String key, ChildrenConfig base) throws ConfigException {
    boolean enabled = base.enabled();
    int maxCommands = base.maxCommands();
    boolean arguments = base.arguments();
    boolean launches = base.launches();
    int recent = base.recentExits();
    int listed = base.maxListed();
    if (node instanceof ScalarNode) {
      enabled = bool(node, key);
    } else {
      for (Map.Entry<String, Node> e : entries(node, key).entrySet()) {
        String k = key + "." + e.getKey();
        Node v = e.getValue();
        switch (e.getKey()) {
          case "enabled" -> enabled = bool(v, k);
          case "max_commands" -> maxCommands = integer(v, k, 1, 1000);
          case "arguments" -> arguments = bool(v, k);
          case "launches" -> launches = bool(v, k);
          case "recent_exits" -> recent = integer(v, k, 0, 10_000);
          case "max_listed" -> listed = integer(v, k, 0, 100_000);
          default -> throw unknown(
              v, k, "enabled, max_commands, launches, arguments, recent_exits, max_listed");
        }
      }
    }
    return new ChildrenConfig(enabled, maxCommands, arguments, launches, recent, listed);
  }

  private String at(Node node) {
    return file + " line " + (node.getStartMark().getLine() + 1) + ": ";
  }

  private ConfigException unknown(Node node, String key, String known) {
    return new ConfigException(at(node) + "unknown key '" + key + "' (known: " + known + ")");
  }

  /** Keys of a mapping node in file order; duplicate and non-scalar keys are errors. */
  private Map<String, Node> entries(Node node, String key) throws ConfigException {
    if (!(node instanceof MappingNode map)) {
      throw new ConfigException(
          at(node) + (key.isEmpty() ? "the file" : "'" + key + "'") + " must be a mapping");
    }
    Map<String, Node> out = new java.util.LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    List<NodeTuple> tuples = map.getValue();
    for (NodeTuple t : tuples) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw new ConfigException(at(t.getKeyNode()) + "keys must be plain strings");
      }
      String name = k.getValue();
      if (!seen.add(name)) {
        throw new ConfigException(
            at(k) + "duplicate key '" + (key.isEmpty() ? "" : key + ".") + name + "'");
      }
      out.put(name, t.getValueNode());
    }
    return out;
  }

  private String scalar(Node node, String key, String expected) throws ConfigException {
    if (!(node instanceof ScalarNode s)) {
      throw new ConfigException(at(node) + key + ": expected " + expected);
    }
    return s.getValue().trim();
  }

  private String host(Node node, String key) throws ConfigException {
    String v = scalar(node, key, "a host name or address");
    if (v.isEmpty() || v.length() > 253 || !v.matches("[A-Za-z0-9._:\\-\\[\\]%]+")) {
      throw new ConfigException(at(node) + key + ": not a host name or address: '" + v + "'");
    }
    return v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
  }

  private int integer(Node node, String key, int min, int max) throws ConfigException {
    String v = scalar(node, key, "an integer");
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw new ConfigException(
            at(node) + key + ": " + n + " is out of range " + min + ".." + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(at(node) + key + ": expected an integer, got '" + v + "'");
    }
  }

  private boolean bool(Node node, String key) throws ConfigException {
    String v = scalar(node, key, "true or false").toLowerCase(Locale.ROOT);
    return switch (v) {
      case "true", "yes", "on" -> true;
      case "false", "no", "off" -> false;
      default -> throw new ConfigException(
          at(node) + key + ": expected true or false, got '" + v + "'");
    };
  }

  /** {@code true}/{@code false}, or a mapping with {@code enabled} and the given extra keys. */
  private boolean onOff(Node node, String key, Set<String> extra) throws ConfigException {
    if (node instanceof ScalarNode) {
      return bool(node, key);
    }
    boolean enabled = true;
    for (Map.Entry<String, Node> e : entries(node, key).entrySet()) {
      if (e.getKey().equals("enabled")) {
        enabled = bool(e.getValue(), key + ".enabled");
      } else if (!extra.contains(e.getKey())) {
        Set<String> known = new java.util.TreeSet<>(extra);
        known.add("enabled");
        throw unknown(e.getValue(), key + "." + e.getKey(), String.join(", ", known));
      }
    }
    return enabled;
  }

  /** {@code 5%} of one CPU, {@code 0.05} (the same), or {@code off}. */
  private double cpuLimit(Node node, String key) throws ConfigException {
    String v = scalar(node, key, "a share of one CPU like 5%, or off");
    if (v.equals("off")) {
      return 0;
    }
    Matcher m = SHARE.matcher(v);
    if (!m.matches()) {
      throw new ConfigException(at(node) + key + ": expected a share of one CPU like 5% or 0.05, or off, got '" + v + "'");
    }
    double share = Double.parseDouble(m.group(1)) / (m.group(2) == null ? 1 : 100);
    if (share < 0.001 || share > 4) {
      throw new ConfigException(at(node) + key + ": " + v + " is out of range 0.1%..400% (or off)");
    }
    return share;
  }

  /** {@code 5s}, {@code 250ms}, {@code 1m}, {@code 1h} or a bare number of seconds. */
  private Duration duration(Node node, String key, long minMs, long maxMs)
      throws ConfigException {
    String v = scalar(node, key, "a duration like 5s or 250ms");
    Matcher m = DURATION.matcher(v);
    if (!m.matches()) {
      throw new ConfigException(
          at(node) + key + ": expected a duration like 5s or 250ms, got '" + v + "'");
    }
    double n = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    double ms =
        switch (unit) {
          case "ms" -> n;
          case "m" -> n * 60_000;
          case "h" -> n * 3_600_000;
          default -> n * 1000;
        };
    if (ms < minMs || ms > maxMs) {
      throw new ConfigException(
          at(node) + key + ": " + v + " is out of range " + minMs + "ms.." + maxMs + "ms");
    }
    return Duration.ofMillis((long) ms);
  }
}
