package io.procagent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTest {

  @TempDir Path dir;

  static AgentConfig parse(String yaml) throws ConfigException {
    return ConfigFile.parse("c.yaml", yaml, AgentConfig.defaults());
  }

  @Test
  void emptyArgumentsAreTheDefaults() throws ConfigException {
    AgentConfig c = AgentArgs.resolve(null);
    assertThat(c).isEqualTo(AgentConfig.defaults());
    assertThat(c.port()).isEqualTo(9494);
    assertThat(c.host()).isEqualTo("0.0.0.0");
  }

  @ParameterizedTest
  @CsvSource({
    "9494, 0.0.0.0, 9494",
    "127.0.0.1:9495, 127.0.0.1, 9495",
    "localhost:0, localhost, 0",
    "'[::1]:9496', ::1, 9496",
    "'port=9497,host=127.0.0.1', 127.0.0.1, 9497",
    "' port = 9498 ', 0.0.0.0, 9498",
  })
  void argumentForms(String args, String host, int port) throws ConfigException {
    AgentConfig c = AgentArgs.resolve(args);
    assertThat(c.host()).isEqualTo(host);
    assertThat(c.port()).isEqualTo(port);
  }

  @Test
  void portColonConfigAndArgumentsWinOverTheFile() throws Exception {
    Path f = dir.resolve("p.yaml");
    Files.writeString(f, "http:\n  host: 127.0.0.1\n  port: 1234\nsampling:\n  interval: 2s\n");
    AgentConfig c = AgentArgs.resolve("9499:" + f);
    assertThat(c.port()).isEqualTo(9499);
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.samplingInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.source()).isEqualTo(f.toString());
    AgentConfig d = AgentArgs.resolve("config=" + f);
    assertThat(d.port()).isEqualTo(1234);
    AgentConfig e = AgentArgs.resolve("localhost:9500:" + f);
    assertThat(e.host()).isEqualTo("localhost");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "abc | not [HOST:]PORT[:CONFIG.yaml]",
        "99999 | port '99999' is not a port number",
        "port=x | port 'x' is not a port number",
        "prot=9494 | unknown agent argument 'prot'",
        "port= | 'port' has an empty value",
        "config=/nonexistent/p.yaml | cannot read config file /nonexistent/p.yaml: no such file",
        "host=a b,port=1 | host 'a b' is not a host name",
        "port=1,port=2 | agent argument 'port' is given twice",
        "config=/a.yaml,host=h,CONFIG=/b.yaml | agent argument 'config' is given twice",
      })
  void badArgumentsNameWhatIsWrong(String args, String message) {
    assertThatThrownBy(() -> AgentArgs.resolve(args))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void daemonFlagsAreTakenWholeAndSayTheyCameFromTheCommandLine() throws ConfigException {
    assertThat(AgentArgs.fromFlags(null, null, null).source()).isEqualTo(AgentConfig.defaults().source());
    AgentConfig c = AgentArgs.fromFlags("[::1]", "9495", null);
    assertThat(c.host()).isEqualTo("::1");
    assertThat(c.port()).isEqualTo(9495);
    assertThat(c.source()).isEqualTo("command line");
    assertThatThrownBy(() -> AgentArgs.fromFlags(null, "1,host=x", null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("option --port '1,host=x' is not a port number 0..65535");
  }

  @Test
  void fullFile() throws ConfigException {
    AgentConfig c =
        parse(
            """
            http:
              host: "::1"
              port: 0
            sampling:
              interval: 250ms
              cache_ttl: 100ms
            collectors:
              process: { enabled: true }
              system: false
              jvm:
                enabled: true
                thread_states: on
              children:
                max_commands: 5
                arguments: true
                launches: false
                recent_exits: 3
                max_listed: 7
            jmx:
              enabled: no
              delay: 1m
            jit:
              c2: true
            """);
    assertThat(c.children()).isEqualTo(new ChildrenConfig(true, 5, true, false, 3, 7));
    assertThat(parse("collectors:\n  children: false\n").children().enabled()).isFalse();
    assertThat(c.host()).isEqualTo("::1");
    assertThat(c.port()).isZero();
    assertThat(c.samplingInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(c.cacheTtl()).isEqualTo(Duration.ofMillis(100));
    assertThat(c.systemCollector()).isFalse();
    assertThat(c.jvmThreadStates()).isTrue();
    assertThat(c.jmxEnabled()).isFalse();
    assertThat(c.jmxDelay()).isEqualTo(Duration.ofMinutes(1));
    assertThat(c.jitC2()).isTrue();
    assertThat(AgentConfig.defaults().jitC2()).isFalse();
  }

  @Test
  void basicAuthFromYamlFileOrEnvironment() throws Exception {
    String hash = "$2y$10$G0Dqr75Q79oub5P3SnYxHOXArixmob2eAO1I1XiQ2B6iJAd.kh8Ti";
    AgentConfig c = parse("http:\n  basic_auth:\n    username: u\n    password_hash: '" + hash + "'\n");
    assertThat(c.basicAuth()).isEqualTo(new BasicAuthConfig("u", hash, true));
    assertThat(c.basicAuth().toString()).doesNotContain(hash);
    Path f = dir.resolve("hash");
    Files.writeString(f, hash + "\n");
    AgentConfig fromFile =
        parse("http:\n  basic_auth:\n    username: u\n    password_hash_file: " + f + "\n    healthy_open: false\n");
    assertThat(fromFile.basicAuth()).isEqualTo(new BasicAuthConfig("u", hash, false));
    String path = System.getenv().keySet().stream().filter(k -> k.equals("PATH")).findFirst().orElseThrow();
    assertThatThrownBy(() -> parse("http:\n  basic_auth:\n    username: u\n    password_hash_env: " + path + "\n"))
        .hasMessageContaining("line 4: http.basic_auth.password_hash_env: not a bcrypt");
    assertThatThrownBy(() -> parse("http:\n  basic_auth:\n    username: u\n    password_hash_env: NO_SUCH_VAR_PROCAGENT\n"))
        .hasMessageContaining("environment variable NO_SUCH_VAR_PROCAGENT is not set");
    assertThatThrownBy(() -> parse("http:\n  basic_auth:\n    username: u\n    password_hash: hunter2\n"))
        .hasMessageContaining("line 4: http.basic_auth.password_hash: not a bcrypt");
    assertThatThrownBy(() -> parse("http:\n  basic_auth:\n    password_hash: '" + hash + "'\n"))
        .hasMessageContaining("line 3: http.basic_auth needs a username");
    assertThatThrownBy(() -> parse("http:\n  basic_auth:\n    username: u\n    password: plain\n"))
        .hasMessageContaining("unknown key 'http.basic_auth.password'");
  }

  @Test
  void tlsSettingsAreCheckedWithLineNumbers() throws Exception {
    Path cert = Files.writeString(dir.resolve("c.pem"), "x");
    Path key = Files.writeString(dir.resolve("k.pem"), "x");
    Path ca = Files.writeString(dir.resolve("ca.pem"), "x");
    AgentConfig c = parse("http:\n  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    client_ca_file: " + ca + "\n");
    assertThat(c.tls()).isEqualTo(new TlsConfig(null, "PKCS12", "", cert.toString(), key.toString(), ca.toString(), "require"));
    assertThat(parse("http:\n  tls:\n    keystore: " + cert + "\n    keystore_type: jks\n    keystore_password: pw\n").tls())
        .isEqualTo(new TlsConfig(cert.toString(), "JKS", "pw", null, null, null, "none"));
    assertThat(c.tls().toString()).doesNotContain("pw");
    assertThatThrownBy(() -> parse("http:\n  tls:\n    cert_file: " + cert + "\n"))
        .hasMessageContaining("line 3: http.tls needs either keystore, or cert_file and key_file");
    assertThatThrownBy(() -> parse("http:\n  tls:\n    keystore: " + cert + "\n    cert_file: " + cert + "\n    key_file: " + key + "\n"))
        .hasMessageContaining("needs either keystore, or cert_file and key_file");
    assertThatThrownBy(() -> parse("http:\n  tls:\n    cert_file: /nonexistent.pem\n    key_file: " + key + "\n"))
        .hasMessageContaining("line 3: http.tls.cert_file: cannot read /nonexistent.pem");
    assertThatThrownBy(() -> parse("http:\n  tls:\n    cert_file: " + cert + "\n    key_file: " + key + "\n    client_auth: require\n"))
        .hasMessageContaining("client_auth require needs client_ca_file");
    assertThatThrownBy(() -> parse("http:\n  tls:\n    keystore: " + cert + "\n    keystore_type: PEM\n"))
        .hasMessageContaining("line 4: http.tls.keystore_type: expected PKCS12 or JKS");
  }

  @Test
  void endpointLimits() throws ConfigException {
    assertThat(AgentConfig.defaults().httpLimits()).isEqualTo(new HttpLimits(Duration.ofSeconds(10), 0.05));
    HttpLimits l = parse("http:\n  request_timeout: 30s\n  cpu_limit: 20%\n").httpLimits();
    assertThat(l.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(l.cpuLimit()).isEqualTo(0.2);
    assertThat(parse("http:\n  cpu_limit: 0.5\n").httpLimits().cpuLimit()).isEqualTo(0.5);
    assertThat(parse("http:\n  cpu_limit: off\n").httpLimits().cpuLimit()).isZero();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "http:\\n  cpu_limit: lots\\n | c.yaml line 2: http.cpu_limit: expected a share of one CPU like 5% or 0.05, or off, got 'lots'",
        "http:\\n  cpu_limit: 900%\\n | c.yaml line 2: http.cpu_limit: 900% is out of range 0.1%..400% (or off)",
        "http:\\n  cpu_limit: 0\\n | c.yaml line 2: http.cpu_limit: 0 is out of range 0.1%..400% (or off)",
        "http:\\n  request_timeout: 100ms\\n | c.yaml line 2: http.request_timeout: 100ms is out of range 1000ms..300000ms",
      })
  void badEndpointLimitsNameTheKey(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n"))).isInstanceOf(ConfigException.class).hasMessage(message);
  }

  @Test
  void emptyFileIsTheDefaults() throws ConfigException {
    assertThat(parse("# nothing\n")).isEqualTo(AgentConfig.defaults().withHttp("0.0.0.0", 9494, "c.yaml"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http:\\n  prot: 1 | c.yaml line 2: unknown key 'http.prot' (known: host, port, basic_auth, tls, request_timeout, cpu_limit)",
        "http:\\n  port: abc | c.yaml line 2: http.port: expected an integer, got 'abc'",
        "http:\\n  port: 70000 | c.yaml line 2: http.port: 70000 is out of range 0..65535",
        "http:\\n  port: [1] | c.yaml line 2: http.port: expected an integer",
        "http: 5 | c.yaml line 1: 'http' must be a mapping",
        "sampling:\\n  interval: fast | line 2: sampling.interval: expected a duration",
        "sampling:\\n  interval: 1ms | sampling.interval: 1ms is out of range",
        "sampling:\\n  interval: 1s\\n  cache_ttl: 2s | cache_ttl (2000ms) must not exceed",
        "collectors:\\n  jvm: { thread_state: true } | line 2: unknown key 'collectors.jvm.thread_state'",
        "collectors:\\n  process: maybe | line 2: collectors.process: expected true or false",
        "collectors:\\n  disk: true | unknown key 'collectors.disk'",
        "jmx:\\n  enabled: true\\n  enabled: false | line 3: duplicate key 'jmx.enabled'",
        "metrics: {} | line 1: unknown key 'metrics' (known: http, sampling, collectors, jmx, jit, targets)",
        "jit:\\n  c1: true | line 2: unknown key 'jit.c1' (known: c2)",
        "jit:\\n  c2: sometimes | line 2: jit.c2: expected true or false",
        "collectors:\\n  children:\\n    max_commands: 0 | line 3: collectors.children.max_commands: 0 is out of range 1..1000",
        "collectors:\\n  children: { args: true } | unknown key 'collectors.children.args'",
        "- a\\n- b | line 1: the file must be a mapping",
        "http:\\n  port: 1\\n port: 2 | c.yaml line 3: invalid YAML",
        "a: *nope | invalid YAML",
        "targets:\\n  - name: a\\n    user: no-such-user-x | c.yaml line 3: target a: user 'no-such-user-x' is not known on this host",
        "targets:\\n  - name: a\\n    comm: x\\n    colour: blue | c.yaml line 4: unknown key 'targets[].colour'",
        "targets:\\n  - name: a | c.yaml line 2: target a selects nothing",
      })
  void badFilesNameKeyAndLine(String yaml, String message) {
    assertThatThrownBy(() -> parse(yaml.replace("\\n", "\n")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void targetsSelectByAKnownUserNameOrAnyUid() throws ConfigException {
    AgentConfig c = parse("targets:\n  - name: a\n    user: root\n  - name: b\n    user: \"4242\"\n    children: true\n");
    assertThat(c.targets()).extracting(TargetConfig::user).containsExactly("root", "4242");
    assertThat(c.targets().get(1).children()).isTrue();
  }
}
