package io.procagent.config;

/**
 * {@code collectors.children}.
 *
 * @param enabled scan the live descendants on every sampling round
 * @param maxCommands distinct {@code command} labels before the rest fold into "other"
 * @param arguments show (redacted) command lines in the JMX table; off because arguments can
 *     hold secrets
 * @param launches instrument {@code ProcessBuilder.start} to record every launched child
 * @param recentExits how many recent exits the JMX table keeps
 * @param maxListed how many live children the JMX table lists
 */
public record ChildrenConfig(
    boolean enabled, int maxCommands, boolean arguments, boolean launches, int recentExits, int maxListed) {

  public static final ChildrenConfig DEFAULTS = new ChildrenConfig(true, 20, false, true, 20, 200);
}
