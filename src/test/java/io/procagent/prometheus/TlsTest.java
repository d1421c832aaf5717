package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.procagent.Fakes;
import io.procagent.config.AgentConfig;
import io.procagent.config.TlsConfig;
import io.procagent.sampler.Errors;
import io.procagent.sampler.Sampler;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS with certificates made by keytool and openssl, scraped by a real HTTPS client. */
class TlsTest {

  @TempDir Path dir;
  Sampler sampler;
  Errors errors = new Errors();

  @BeforeEach
  void sampler() {
    Fakes.Process process = new Fakes.Process();
    Fakes.System system = new Fakes.System();
    process.next = Fakes.process(1, 1, System.nanoTime());
    system.next = Fakes.system(1, 1, System.nanoTime());
    sampler = new Sampler(process, system, Duration.ofSeconds(1), () -> 2, errors);
  }

  void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + out).isZero();
  }

  /** A self-signed EC certificate for 127.0.0.1 as cert.pem / key.pem (PKCS#8), serial given. */
  void pem(String prefix, String serial) throws Exception {
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
        prefix + "key.pem", "-out", prefix + "cert.pem", "-days", "2", "-subj", "/CN=procagent-test", "-set_serial", serial,
        "-addext", "subjectAltName=IP:127.0.0.1");
  }

  MetricsServer server(TlsConfig tls) throws IOException {
    return MetricsServer.start("127.0.0.1", 0, Registries.create(AgentConfig.defaults(), sampler, errors, "t"), null, tls);
  }

  static X509Certificate cert(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  /** A client trusting exactly {@code trusted}, presenting {@code clientKeys} if not null. */
  static HttpClient client(X509Certificate trusted, KeyStore clientKeys) throws Exception {
    KeyStore ts = KeyStore.getInstance("PKCS12");
    ts.load(null, null);
    ts.setCertificateEntry("server", trusted);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ts);
    KeyManagerFactory kmf = null;
    if (clientKeys != null) {
      kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(clientKeys, "pw".toCharArray());
    }
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpResponse<String> get(HttpClient c, MetricsServer s) throws Exception {
    return c.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + s.port() + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void pemCertificateServesHttpsWithTls12Or13() throws Exception {
    pem("", "1001");
    try (MetricsServer s = server(new TlsConfig(null, "PKCS12", "", dir.resolve("cert.pem").toString(),
        dir.resolve("key.pem").toString(), null, "none"))) {
      HttpResponse<String> r = get(client(cert(dir.resolve("cert.pem")), null), s);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("process_cpu_seconds_total");
      assertThat(r.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.2", "TLSv1.3");
      assertThat(MetricsServer.tcpNoDelay()).isTrue();
    }
  }

  @Test
  void pkcs12KeystoreFromKeytool() throws Exception {
    run("keytool", "-genkeypair", "-alias", "procagent", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=procagent-test",
        "-ext", "SAN=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", "ks.p12", "-storepass", "changeit");
    run("keytool", "-exportcert", "-rfc", "-alias", "procagent", "-keystore", "ks.p12", "-storepass", "changeit", "-file", "exported.pem");
    try (MetricsServer s = server(new TlsConfig(dir.resolve("ks.p12").toString(), "PKCS12", "changeit", null, null, null, "none"))) {
      assertThat(get(client(cert(dir.resolve("exported.pem")), null), s).statusCode()).isEqualTo(200);
    }
    assertThatThrownBy(() -> server(new TlsConfig(dir.resolve("ks.p12").toString(), "PKCS12", "wrong", null, null, null, "none")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot load TLS material");
  }

  @Test
  void mutualTlsRefusesClientsWithoutACertificateFromTheCa() throws Exception {
    pem("", "2001");
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca-key.pem",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=test-ca");
    run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client-key.pem",
        "-out", "client.csr", "-subj", "/CN=prometheus");
    run("openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-set_serial", "7",
        "-days", "2", "-out", "client.pem");
    run("openssl", "pkcs12", "-export", "-in", "client.pem", "-inkey", "client-key.pem", "-out", "client.p12", "-passout", "pass:pw");
    KeyStore clientKeys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("client.p12"))) {
      clientKeys.load(in, "pw".toCharArray());
    }
    try (MetricsServer s = server(new TlsConfig(null, "PKCS12", "", dir.resolve("cert.pem").toString(),
        dir.resolve("key.pem").toString(), dir.resolve("ca.pem").toString(), "require"))) {
      X509Certificate serverCert = cert(dir.resolve("cert.pem"));
      assertThat(get(client(serverCert, clientKeys), s).statusCode()).isEqualTo(200);
      assertThatThrownBy(() -> get(client(serverCert, null), s)).isInstanceOf(IOException.class);
    }
  }

  @Test
  void renewedCertificateIsUsedWithoutRestart() throws Exception {
    pem("", "3001");
    pem("new-", "3002");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    try (MetricsServer s = server(new TlsConfig(null, "PKCS12", "", cert.toString(), key.toString(), null, "none"))) {
      X509Certificate first = cert(cert);
      assertThat(((X509Certificate) get(client(first, null), s).sslSession().orElseThrow().getPeerCertificates()[0])
          .getSerialNumber()).isEqualTo(BigInteger.valueOf(3001));
      X509Certificate renewed = cert(dir.resolve("new-cert.pem"));
      Files.move(dir.resolve("new-key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
      Files.move(dir.resolve("new-cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
      s.reloadTls(); // what the endpoint's scheduler does every few seconds
      HttpResponse<String> r = get(client(renewed, null), s);
      assertThat(((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber())
          .isEqualTo(BigInteger.valueOf(3002));
      // a broken renewal keeps the working certificate
      Files.writeString(key, "not a key");
      s.reloadTls();
      assertThat(get(client(renewed, null), s).statusCode()).isEqualTo(200);
    }
  }

  @Test
  void swappedOrMismatchedFilesAreRefusedNamingThem() throws Exception {
    pem("a", "1");
    pem("b", "2");
    String certA = dir.resolve("acert.pem").toString();
    String keyA = dir.resolve("akey.pem").toString();
    String keyB = dir.resolve("bkey.pem").toString();
    assertThatThrownBy(() -> Tls.load(new TlsConfig(null, "PKCS12", "", keyA, certA, null, "none")))
        .hasMessage(keyA + " holds a private key, not a certificate (cert_file and key_file swapped?)");
    assertThatThrownBy(() -> Tls.load(new TlsConfig(null, "PKCS12", "", certA, keyB, null, "none")))
        .hasMessage(keyB + " is not the private key of the certificate in " + certA);
    run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
    assertThatThrownBy(() -> Tls.load(new TlsConfig(null, "PKCS12", "", certA, dir.resolve("rsa.pem").toString(), null, "none")))
        .hasMessageContaining("is not the private key of the certificate in");
    assertThat(Tls.load(new TlsConfig(null, "PKCS12", "", certA, keyA, null, "none"))).isNotNull();
  }

  @Test
  void pkcs1KeysGetAConversionHint() throws Exception {
    run("openssl", "genrsa", "-traditional", "-out", "rsa.pem", "2048");
    assertThatThrownBy(() -> Tls.privateKey(dir.resolve("rsa.pem")))
        .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    assertThat(List.of()).isEmpty();
  }
}
