package io.procagent.prometheus;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes for basic authentication, never plain passwords: bcrypt (as Prometheus'
 * exporter-toolkit uses) through the bcrypt library, and PBKDF2-HMAC-SHA256 (as jmx_exporter)
 * through the JDK, written in Django's format {@code pbkdf2_sha256$ITERATIONS$SALT$BASE64HASH}.
 * Comparisons are constant-time.
 */
public final class PasswordHash {

  private static final String PBKDF2 = "pbkdf2_sha256$";

  private PasswordHash() {}

  public static boolean supported(String hash) {
    if (hash.startsWith("$2a$") || hash.startsWith("$2b$") || hash.startsWith("$2y$")) {
      return hash.length() == 60;
    }
    String[] p = hash.split("\\$");
    if (p.length != 4 || !hash.startsWith(PBKDF2)) {
      return false;
    }
    try {
      return Integer.parseInt(p[1]) >= 1000 && !p[2].isEmpty() && Base64.getDecoder().decode(p[3]).length >= 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code password} matches {@code hash} (false for any malformed hash). */
  public static boolean verify(char[] password, String hash) {
    try {
      if (hash.startsWith(PBKDF2)) {
        String[] p = hash.split("\\$");
        byte[] expected = Base64.getDecoder().decode(p[3]);
        byte[] actual = pbkdf2(password, p[2], Integer.parseInt(p[1]), expected.length * 8);
        return MessageDigest.isEqual(expected, actual);
      }
      return BCrypt.verifyer().verify(password, hash.toCharArray()).verified;
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return false;
    }
  }

  /** A new bcrypt hash (cost 10) of {@code password}. */
  public static String bcrypt(char[] password) {
    return BCrypt.withDefaults().hashToString(10, password);
  }

  /** A new PBKDF2-HMAC-SHA256 hash (310,000 iterations, random salt) of {@code password}. */
  public static String pbkdf2(char[] password) throws GeneralSecurityException {
    byte[] saltBytes = new byte[12];
    new SecureRandom().nextBytes(saltBytes);
    String salt = Base64.getEncoder().withoutPadding().encodeToString(saltBytes).replace('$', '.');
    int iterations = 310_000;
    return PBKDF2 + iterations + "$" + salt + "$" + Base64.getEncoder().encodeToString(pbkdf2(password, salt, iterations, 256));
  }

  private static byte[] pbkdf2(char[] password, String salt, int iterations, int bits) throws GeneralSecurityException {
    PBEKeySpec spec = new PBEKeySpec(password, salt.getBytes(StandardCharsets.UTF_8), iterations, bits);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } finally {
      spec.clearPassword();
    }
  }
}
