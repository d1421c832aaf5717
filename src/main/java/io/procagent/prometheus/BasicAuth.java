package io.procagent.prometheus;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import io.procagent.config.BasicAuthConfig;
import io.procagent.log.Log;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.function.LongSupplier;

/**
 * HTTP basic authentication against one user and a password hash: {@code 401} with {@code
 * WWW-Authenticate: Basic realm="procagent"} otherwise. Verifying bcrypt costs tens of
 * milliseconds, so the digest of the last accepted credentials is remembered and compared in
 * constant time; any other attempt pays the full verification, at most {@link
 * #VERIFICATIONS_PER_SECOND} a second: beyond that, unknown credentials are refused unchecked
 * until the next second. A client guessing passwords can then neither hold procagent's HTTP
 * thread nor burn the host's CPU on bcrypt, and the client already accepted is not affected.
 */
final class BasicAuth {

  static final String REALM = "procagent";
  /** The challenge of a 401, as the JDK's {@link BasicAuthenticator} words it. */
  static final String CHALLENGE = "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"";

  static final int VERIFICATIONS_PER_SECOND = 4;
  private static final Log LOG = Log.get(BasicAuth.class);

  private final byte[] user;
  private final String hash;
  private final LongSupplier nanoTime;
  private volatile byte[] accepted = new byte[0];
  /** The current one-second window of verifications and how many it had; guarded by this. */
  private long windowStart;
  private int verifications;

  BasicAuth(BasicAuthConfig config) {
    this(config, System::nanoTime);
  }

  BasicAuth(BasicAuthConfig config, LongSupplier nanoTime) {
    this.user = config.username().getBytes(StandardCharsets.UTF_8);
    this.hash = config.passwordHash();
    this.nanoTime = nanoTime;
    this.windowStart = nanoTime.getAsLong();
  }

  /** Whether an {@code Authorization} header value carries the right credentials. */
  boolean accepts(String authorization) {
    if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return false;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException notBase64) {
      return false;
    }
    int colon = decoded.indexOf(':');
    return colon >= 0 && checkCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  /** The same check for the JDK server (the TLS endpoint). */
  Authenticator jdk() {
    return new BasicAuthenticator(REALM, StandardCharsets.UTF_8) {
      @Override
      public boolean checkCredentials(String username, String password) {
        return BasicAuth.this.checkCredentials(username, password);
      }
    };
  }

  boolean checkCredentials(String username, String password) {
    if (username == null || password == null) {
      return false;
    }
    byte[] digest = digest(username, password);
    if (MessageDigest.isEqual(digest, accepted)) {
      return true;
    }
    if (!mayVerify()) {
      LOG.warnOnce("auth-rate", "more than " + VERIFICATIONS_PER_SECOND + " unknown credentials a second on the endpoint (password guessing?);"
          + " further ones are refused unchecked until the next second");
      return false;
    }
    boolean userOk = MessageDigest.isEqual(user, username.getBytes(StandardCharsets.UTF_8));
    boolean passOk = PasswordHash.verify(password.toCharArray(), hash); // always run: no timing hint
    if (userOk && passOk) {
      accepted = digest;
      return true;
    }
    return false;
  }

  private synchronized boolean mayVerify() {
    long now = nanoTime.getAsLong();
    if (now - windowStart >= 1_000_000_000L) {
      windowStart = now;
      verifications = 0;
    }
    return ++verifications <= VERIFICATIONS_PER_SECOND;
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
