package io.procagent.prometheus;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import io.procagent.config.TlsConfig;
import io.procagent.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The endpoint's TLS: certificate and key from a PKCS12/JKS keystore or PEM files, optional
 * client certificates (mutual TLS), TLS 1.2 and 1.3 only. The key material sits behind a key
 * manager that {@link #reloadIfChanged()} swaps when the files change, so a renewed certificate
 * is used by the next handshake without a restart.
 */
final class Tls {

  private static final Log LOG = Log.get(Tls.class);
  private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

  private final TlsConfig config;
  private final Reloading keys;
  private final SSLContext context;
  private volatile long stamp;

  private Tls(TlsConfig config) throws IOException, GeneralSecurityException {
    this.config = config;
    this.stamp = stamp();
    this.keys = new Reloading(keyManager());
    TrustManager[] trust = null;
    if (config.clientCaFile() != null) {
      KeyStore cas = KeyStore.getInstance("PKCS12");
      cas.load(null, null);
      int i = 0;
      for (Certificate c : certificates(Path.of(config.clientCaFile()), false)) {
        cas.setCertificateEntry("ca" + i++, c);
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(cas);
      trust = tmf.getTrustManagers();
    }
    this.context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {keys}, trust, null);
  }

  /** Loads the material now; a problem is an exception naming the file. */
  static Tls load(TlsConfig config) throws IOException, GeneralSecurityException {
    return new Tls(config);
  }

  HttpsConfigurator configurator() {
    return new HttpsConfigurator(context) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = context.getDefaultSSLParameters();
        List<String> enabled = new ArrayList<>();
        for (String proto : PROTOCOLS) {
          if (Arrays.asList(p.getProtocols()).contains(proto)) {
            enabled.add(proto);
          }
        }
        p.setProtocols(enabled.toArray(new String[0]));
        switch (config.clientAuth()) {
          case "require" -> p.setNeedClientAuth(true);
          case "optional" -> p.setWantClientAuth(true);
          default -> p.setNeedClientAuth(false);
        }
        params.setSSLParameters(p);
      }
    };
  }

  /** Re-reads the key material when its files changed; keeps the old one if the new is bad. */
  void reloadIfChanged() {
    long now = stamp();
    if (now == stamp) {
      return;
    }
    try {
      keys.delegate = keyManager();
      stamp = now;
      LOG.info("TLS certificate reloaded from " + (config.keystore() != null ? config.keystore() : config.certFile()));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      LOG.warnOnce("tls-reload-" + now, "TLS certificate changed but cannot be loaded, the old one stays: " + e.getMessage());
    }
  }

  private long stamp() {
    long s = 0;
    for (String f : new String[] {config.keystore(), config.certFile(), config.keyFile()}) {
      if (f != null) {
        try {
          s = s * 31 + Files.getLastModifiedTime(Path.of(f)).toMillis() + Files.size(Path.of(f));
        } catch (IOException e) {
          // a file being replaced: try again next time
        }
      }
    }
    return s;
  }

  private X509ExtendedKeyManager keyManager() throws IOException, GeneralSecurityException {
    KeyStore ks;
    char[] password;
    if (config.keystore() != null) {
      ks = KeyStore.getInstance(config.keystoreType());
      password = config.keystorePassword().toCharArray();
      try (InputStream in = Files.newInputStream(Path.of(config.keystore()))) {
        ks.load(in, password);
      }
    } else {
      password = new char[0];
      ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      List<Certificate> chain = certificates(Path.of(config.certFile()), true);
      if (chain.isEmpty()) {
        throw new GeneralSecurityException(config.certFile() + " holds no certificate");
      }
      PrivateKey key = privateKey(Path.of(config.keyFile()));
      checkPair(key, chain.get(0), config.keyFile(), config.certFile());
      ks.setKeyEntry("procagent", key, password, chain.toArray(new Certificate[0]));
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, password);
    for (KeyManager km : kmf.getKeyManagers()) {
      if (km instanceof X509ExtendedKeyManager x) {
        return x;
      }
    }
    throw new GeneralSecurityException("no X.509 key manager for " + config);
  }

  /**
   * The certificates of a PEM (or DER) file; one that holds none is an exception saying what it
   * holds ({@code certFile}: the file is the server's cert_file, which may have been swapped with its key_file).
   */
  private static List<Certificate> certificates(Path pem, boolean certFile) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
      return new ArrayList<>(certs);
    } catch (CertificateException e) { // the JDK's own words ("signed fields invalid") name neither file nor cause
      boolean key = new String(Files.readAllBytes(pem), StandardCharsets.ISO_8859_1).contains("PRIVATE KEY-----");
      throw new GeneralSecurityException(
          pem + (key ? " holds a private key, not a certificate" + (certFile ? " (cert_file and key_file swapped?)" : "")
              : " holds no readable certificate: " + e.getMessage()), e);
    }
  }

  /**
   * Whether {@code key} is the private key of {@code cert}: a signature made with one must verify
   * with the other. Else the server would start and every handshake fail; a renewal whose
   * certificate is written before its key keeps the old pair until both are there.
   */
  private static void checkPair(PrivateKey key, Certificate cert, String keyFile, String certFile) throws GeneralSecurityException {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "EdDSA", "Ed25519" -> "Ed25519";
      default -> null;
    };
    if (algorithm == null) {
      return; // privateKey reads no other kind
    }
    byte[] data = certFile.getBytes(StandardCharsets.UTF_8);
    Signature sign = Signature.getInstance(algorithm);
    sign.initSign(key);
    sign.update(data);
    byte[] signature = sign.sign();
    boolean pair;
    try {
      Signature verify = Signature.getInstance(algorithm);
      verify.initVerify(cert.getPublicKey());
      verify.update(data);
      pair = verify.verify(signature);
    } catch (GeneralSecurityException e) { // a public key of another kind
      pair = false;
    }
    if (!pair) {
      throw new GeneralSecurityException(keyFile + " is not the private key of the certificate in " + certFile);
    }
  }

  /** An unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}): RSA, EC or Ed25519. */
  static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY") || text.contains("ENCRYPTED")) {
      throw new GeneralSecurityException(
          pem + " is not an unencrypted PKCS#8 key; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out " + pem);
    }
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new GeneralSecurityException(pem + " holds no PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + 27, end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "Ed25519"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new GeneralSecurityException(pem + ": unsupported key algorithm");
  }

  /** A key manager whose material can be replaced while handshakes go on. */
  private static final class Reloading extends X509ExtendedKeyManager {
    volatile X509ExtendedKeyManager delegate;

    Reloading(X509ExtendedKeyManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return delegate.getPrivateKey(alias);
    }
  }
}
