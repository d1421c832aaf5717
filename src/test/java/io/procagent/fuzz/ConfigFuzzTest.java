package io.procagent.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.procagent.config.AgentConfig;
import io.procagent.config.ConfigException;
import io.procagent.config.ConfigFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The seeds in src/test/resources/fuzz/config, and 2,000 seeded mutations of them (characters
 * deleted, duplicated, swapped, lines shuffled, random tokens inserted) and random text: each is
 * either a configuration or a {@link ConfigException} whose message names the file, never
 * another exception, and never slow.
 */
class ConfigFuzzTest {

  static final int MUTATIONS = 2000;
  static final String[] TOKENS = {
    ":", "- ", "[", "]", "{", "}", "&a", "*a", "!!map", "!!str", "'", "\"", "\n  ", "\t", "#", "|", ">", "? ",
    "port", "host", "targets", "true", "-1", "99999999999", "1e9", "5ms", "0s", "null", "~", "%", "@", "\u0000", "\ufeff"
  };

  @Test
  void everyInputIsAConfigOrAClearError() throws Exception {
    List<String> seeds = seeds();
    Random random = new Random(7);
    List<String> inputs = new ArrayList<>(seeds);
    for (int i = 0; i < MUTATIONS; i++) {
      inputs.add(mutate(seeds.get(random.nextInt(seeds.size())), random));
    }
    for (int i = 0; i < 200; i++) {
      StringBuilder sb = new StringBuilder();
      for (int j = random.nextInt(200); j > 0; j--) {
        sb.append((char) (random.nextInt(0x7f - 9) + 9));
      }
      inputs.add(sb.toString());
    }
    int parsed = 0;
    int rejected = 0;
    for (String input : inputs) {
      long start = System.nanoTime();
      try {
        ConfigFile.parse("fuzz.yaml", input, AgentConfig.defaults());
        parsed++;
      } catch (ConfigException e) {
        assertThat(e.getMessage()).as(input).startsWith("fuzz.yaml");
        rejected++;
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError("unexpected " + e + " for:\n" + input, e);
      }
      assertThat((System.nanoTime() - start) / 1e9).as("seconds to parse:\n" + input).isLessThan(5);
    }
    assertThat(parsed).isPositive();
    assertThat(rejected).isPositive();
  }

  static List<String> seeds() throws Exception {
    Path dir = Path.of(ConfigFuzzTest.class.getResource("/fuzz/config").toURI());
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.sorted().toList()) {
        out.add(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static String mutate(String seed, Random random) {
    StringBuilder sb = new StringBuilder(seed);
    for (int k = 1 + random.nextInt(4); k > 0; k--) {
      int at = sb.length() == 0 ? 0 : random.nextInt(sb.length());
      switch (random.nextInt(5)) {
        case 0 -> {
          if (sb.length() > 0) {
            sb.deleteCharAt(at);
          }
        }
        case 1 -> sb.insert(at, TOKENS[random.nextInt(TOKENS.length)]);
        case 2 -> {
          if (sb.length() > 1) {
            int other = random.nextInt(sb.length());
            char c = sb.charAt(at);
            sb.setCharAt(at, sb.charAt(other));
            sb.setCharAt(other, c);
          }
        }
        case 3 -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + random.nextInt(20))));
        default -> {
          List<String> lines = new ArrayList<>(List.of(sb.toString().split("\n", -1)));
          java.util.Collections.shuffle(lines, random);
          sb.setLength(0);
          sb.append(String.join("\n", lines));
        }
      }
    }
    return sb.toString();
  }

}
