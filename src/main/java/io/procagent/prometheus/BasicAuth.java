package io.procagent.prometheus;

import com.sun.net.httpserver.BasicAuthenticator;
import io.procagent.config.BasicAuthConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * HTTP basic authentication against one user and a password hash: {@code 401} with {@code
 * WWW-Authenticate: Basic realm="procagent"} otherwise. Verifying bcrypt costs tens of
 * milliseconds, so the digest of the last accepted credentials is remembered and compared in
 * constant time; any other attempt pays the full verification.
 */
final class BasicAuth extends BasicAuthenticator {

  private final byte[] user;
  private final String hash;
  private volatile byte[] accepted = new byte[0];

  BasicAuth(BasicAuthConfig config) {
    super("procagent", StandardCharsets.UTF_8);
    this.user = config.username().getBytes(StandardCharsets.UTF_8);
    this.hash = config.passwordHash();
  }

  @Override
  public boolean checkCredentials(String username, String password) {
    if (username == null || password == null) {
      return false;
    }
    byte[] digest = digest(username, password);
    if (MessageDigest.isEqual(digest, accepted)) {
      return true;
    }
    boolean userOk = MessageDigest.isEqual(user, username.getBytes(StandardCharsets.UTF_8));
    boolean passOk = PasswordHash.verify(password.toCharArray(), hash); // always run: no timing hint
    if (userOk && passOk) {
      accepted = digest;
      return true;
    }
    return false;
  }

  private static byte[] digest(String username, String password) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(username.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      return sha.digest(password.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
