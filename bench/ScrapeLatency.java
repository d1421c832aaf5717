import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * Scrapes URL N times back-to-back over one keep-alive HTTP/1.1 connection and prints the
 * latency median and p99 in milliseconds. Usage: java bench/ScrapeLatency.java URL N
 */
public class ScrapeLatency {
  public static void main(String[] args) throws Exception {
    String url = args[0];
    int n = Integer.parseInt(args[1]);
    HttpClient client =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    for (int i = 0; i < Math.min(200, n); i++) { // warm-up
      client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    }
    double[] ms = new double[n];
    long bytes = 0;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
      ms[i] = (System.nanoTime() - t) / 1e6;
      if (r.statusCode() != 200) {
        throw new IllegalStateException("status " + r.statusCode());
      }
      bytes = r.body().length;
    }
    Arrays.sort(ms);
    System.out.printf("scrapes=%d body=%dB p50=%.2fms p99=%.2fms max=%.2fms%n",
        n, bytes, ms[n / 2], ms[(int) (n * 0.99)], ms[n - 1]);
  }
}
