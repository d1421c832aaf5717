package io.procagent.grafana;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** grafana/procagent.json is importable anywhere: no fixed data source, every panel explained. */
class DashboardTest {

  @SuppressWarnings("unchecked")
  static Map<String, Object> dashboard() throws Exception {
    return (Map<String, Object>)
        new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(Path.of("grafana/procagent.json")));
  }

  @Test
  @SuppressWarnings("unchecked")
  void variablesAndPanels() throws Exception {
    Map<String, Object> d = dashboard();
    assertThat((Integer) d.get("schemaVersion")).isGreaterThanOrEqualTo(36);
    List<Map<String, Object>> vars = (List<Map<String, Object>>) ((Map<String, Object>) d.get("templating")).get("list");
    assertThat(vars).extracting(v -> v.get("name")).containsExactly("datasource", "job", "instance", "target");
    assertThat(vars.get(0).get("type")).isEqualTo("datasource");
    List<String> rows = new java.util.ArrayList<>();
    int panels = 0;
    for (Map<String, Object> p : (List<Map<String, Object>>) d.get("panels")) {
      if ("row".equals(p.get("type"))) {
        rows.add((String) p.get("title"));
        continue;
      }
      panels++;
      String title = (String) p.get("title");
      assertThat((String) p.get("description")).as(title).isNotBlank();
      assertThat(p.get("datasource")).as(title).isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}"));
      Map<String, Object> defaults = (Map<String, Object>) ((Map<String, Object>) p.get("fieldConfig")).get("defaults");
      assertThat((String) defaults.get("unit")).as(title).isNotBlank();
      for (Map<String, Object> t : (List<Map<String, Object>>) p.get("targets")) {
        String expr = (String) t.get("expr");
        assertThat(expr).as(title).contains("$job").contains("$instance");
        if (expr.contains("rate(") || expr.contains("increase(")) {
          assertThat(expr).as(title + ": rate windows follow the scrape interval").contains("[$__rate_interval]");
        }
        assertThat(t.get("datasource")).isEqualTo(Map.of("type", "prometheus", "uid", "${datasource}"));
      }
    }
    assertThat(rows).containsExactly("Identity", "Process CPU", "Host CPU", "Memory, threads, file descriptors", "Children", "JVM", "procagent");
    assertThat(panels).isGreaterThanOrEqualTo(27);
    assertThat(Files.readString(Path.of("grafana/procagent.json"))).doesNotContainPattern("\"uid\": \"(?!\\$\\{datasource\\}|procagent\")");
  }
}
