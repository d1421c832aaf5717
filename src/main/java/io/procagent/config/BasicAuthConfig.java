package io.procagent.config;

/**
 * {@code http.basic_auth}: one user whose password is stored only as a hash.
 *
 * @param username the user name
 * @param passwordHash bcrypt ({@code $2a$}, {@code $2b$}, {@code $2y$}) or PBKDF2-HMAC-SHA256 in
 *     Django's format ({@code pbkdf2_sha256$ITERATIONS$SALT$BASE64HASH})
 * @param healthyOpen whether {@code /-/healthy} answers without credentials
 */
public record BasicAuthConfig(String username, String passwordHash, boolean healthyOpen) {

  @Override
  public String toString() {
    return "BasicAuthConfig[username=" + username + ", passwordHash=(hidden), healthyOpen=" + healthyOpen + "]";
  }
}
