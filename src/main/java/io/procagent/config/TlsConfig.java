package io.procagent.config;

/**
 * {@code http.tls}: the endpoint's certificate, from a keystore or from PEM files, and
 * optionally the CAs client certificates must chain to (mutual TLS).
 *
 * @param keystore PKCS12 or JKS keystore path, or null when PEM files are given
 * @param keystoreType PKCS12 or JKS
 * @param keystorePassword the keystore's password ("" for none)
 * @param certFile PEM certificate chain, or null
 * @param keyFile PEM private key (PKCS#8), or null
 * @param clientCaFile PEM CA certificates for client certificates, or null for none
 * @param clientAuth none, optional or require
 */
public record TlsConfig(
    String keystore,
    String keystoreType,
    String keystorePassword,
    String certFile,
    String keyFile,
    String clientCaFile,
    String clientAuth) {

  @Override
  public String toString() {
    return "TlsConfig[keystore=" + keystore + ", certFile=" + certFile + ", keyFile=" + keyFile
        + ", clientCaFile=" + clientCaFile + ", clientAuth=" + clientAuth + ", keystorePassword=(hidden)]";
  }
}
