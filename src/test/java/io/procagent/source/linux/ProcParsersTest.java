package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProcParsersTest {

  static final String STAT =
      "4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1234 0 5 0 250 75 12 3 20 0 17 0 "
          + "123456 9194631168 16194 18446744073709551615 1 1 0 0 0 0 0 4096 17663 0 0 0 "
          + "17 1 0 0 42 0 0 0 0 0 0 0 0 0 0\n";

  @Test
  void statFindsCommWithSpacesAndParentheses() {
    ProcParsers.Stat s = stat(STAT);
    assertThat(s.comm()).isEqualTo("my (odd) cmd");
    assertThat(s.state()).isEqualTo('S');
    assertThat(s.ppid()).isEqualTo(1);
    assertThat(s.minflt()).isEqualTo(1234);
    assertThat(s.majflt()).isEqualTo(5);
    assertThat(s.utime()).isEqualTo(250);
    assertThat(s.stime()).isEqualTo(75);
    assertThat(s.cutime()).isEqualTo(12);
    assertThat(s.cstime()).isEqualTo(3);
    assertThat(s.threads()).isEqualTo(17);
    assertThat(s.startTicks()).isEqualTo(123456);
    assertThat(s.vsize()).isEqualTo(9194631168L);
    assertThat(s.blkioTicks()).isEqualTo(42);
  }

  static ProcParsers.Stat stat(String text) {
    byte[] b = bytes(text);
    return ProcParsers.parseStat(b, b.length);
  }

  static byte[] bytes(String stat) {
    return stat.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void ppidFromBytes() {
    byte[] b = bytes(STAT);
    assertThat(ProcParsers.ppidOf(b, b.length)).isEqualTo(1);
    byte[] odd = bytes("9 (a) b) R 77 9");
    assertThat(ProcParsers.ppidOf(odd, odd.length)).isEqualTo(77);
    byte[] cut = bytes("9 (a) R");
    assertThat(ProcParsers.ppidOf(cut, cut.length)).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(ProcParsers.ppidOf(new byte[0], 0)).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void cpuTicksFromBytesAgreeWithTheFullParse() {
    byte[] b = bytes(STAT);
    ProcParsers.Stat full = stat(STAT);
    assertThat(ProcParsers.cpuTicksOf(b, b.length)).isEqualTo(full.utime() + full.stime()).isPositive();
    byte[] odd = bytes("9 (a) b) R 1 2 3 4 5 6 7 8 9 10 11 12 30");
    assertThat(ProcParsers.cpuTicksOf(odd, odd.length)).isEqualTo(11 + 12);
    byte[] cut = bytes("9 (a) R 1 2 3 4 5 6 7 8 9 10 11");
    assertThat(ProcParsers.cpuTicksOf(cut, cut.length)).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(ProcParsers.cpuTicksOf(new byte[0], 0)).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void threadsFromBytesAgreeWithTheFullParse() {
    byte[] b = bytes(STAT);
    long[] f = new long[ProcParsers.STAT_FIELDS];
    ProcParsers.statFields(b, b.length, f);
    assertThat(f[ProcParsers.S_THREADS]).isEqualTo(stat(STAT).threads()).isEqualTo(17);
    byte[] cut = bytes("9 (a) R 1 2");
    ProcParsers.statFields(cut, cut.length, f);
    assertThat(f[ProcParsers.S_THREADS]).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void truncatedStatKeepsWhatItHas() {
    ProcParsers.Stat s = stat("77 (sh) R 5 77 77 0 -1 0 0 0 0 0 9");
    assertThat(s.comm()).isEqualTo("sh");
    assertThat(s.ppid()).isEqualTo(5);
    assertThat(s.utime()).isEqualTo(9);
    assertThat(s.stime()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.blkioTicks()).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void statWithoutCommIsRejected() {
    assertThat(stat("garbage")).isNull();
    assertThat(stat("")).isNull();
  }

  @Test
  void statusFieldsWithTabsAndTrailingSpaces() {
    String status =
        """
        Name:\tjava
        State:\tS (sleeping)
        Uid:\t1000\t1000\t1000\t1000
        Gid:\t100\t100\t100\t100
        VmRSS:\t   65432 kB \s
        Threads:\t25
        Cpus_allowed_list:\t0-1,4,6-7
        voluntary_ctxt_switches:\t123
        nonvoluntary_ctxt_switches:\t45
        """;
    ProcParsers.Status s = status(status);
    assertThat(s.uid()).isEqualTo(1000);
    assertThat(s.gid()).isEqualTo(100);
    assertThat(s.rssBytes()).isEqualTo(65432L * 1024);
    assertThat(s.threads()).isEqualTo(25);
    assertThat(s.voluntaryCtxt()).isEqualTo(123);
    assertThat(s.nonvoluntaryCtxt()).isEqualTo(45);
    assertThat(s.cpusAllowed()).isEqualTo(5);
  }

  @Test
  void contextSwitchesFromStatusBytesAgreeWithTheFullParse() throws Exception {
    byte[] live = java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/self/status"));
    ProcParsers.Status full = ProcParsers.parseStatus(live, live.length);
    assertThat(ProcParsers.voluntarySwitchesOf(live, live.length)).isEqualTo(full.voluntaryCtxt()).isPositive();
    assertThat(ProcParsers.nonvoluntarySwitchesOf(live, live.length)).isEqualTo(full.nonvoluntaryCtxt());
    byte[] odd = "Name:\tx voluntary_ctxt_switches:\t9\nvoluntary_ctxt_switches: \t 123\nnonvoluntary_ctxt_switches:\t45"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertThat(ProcParsers.voluntarySwitchesOf(odd, odd.length)).isEqualTo(123); // a line's start only
    assertThat(ProcParsers.nonvoluntarySwitchesOf(odd, odd.length)).isEqualTo(45); // no final newline
    assertThat(ProcParsers.nonvoluntarySwitchesOf(odd, odd.length - 20)).isEqualTo(ProcParsers.UNKNOWN); // cut
  }

  /** Stat and status lines that are odd or cut keep what they can. */
  @Test
  void statAndStatusKeepWhatTheyCanRead() throws Exception {
    ProcParsers.Stat odd = stat("1 (a) (b)) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 -5 1 0 100 2000 30 18446744073709551615 1 1");
    assertThat(odd.comm()).isEqualTo("a) (b)");
    assertThat(odd.state()).isEqualTo('S');
    assertThat(odd.utime()).isEqualTo(5);
    assertThat(odd.cstime()).isEqualTo(8);
    assertThat(odd.startTicks()).isEqualTo(100);
    assertThat(odd.rssPages()).isEqualTo(30);
    assertThat(odd.blkioTicks()).isEqualTo(ProcParsers.UNKNOWN);
    ProcParsers.Stat notNumbers = stat("9 (x) S 1 x 2 3");
    assertThat(notNumbers.ppid()).isEqualTo(1);
    assertThat(notNumbers.utime()).isEqualTo(ProcParsers.UNKNOWN);
    ProcParsers.Stat self = stat(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat")));
    assertThat(self.ppid()).isEqualTo(ProcessHandle.current().parent().orElseThrow().pid());
    assertThat(self.threads()).isPositive();
    long u = ProcParsers.UNKNOWN;
    assertThat(status("Uid:\t-1\nVmRSS:\tx kB\nThreads:\t99999999999999999999\nNo colon here\n:\t5\nUidX:\t3\n"))
        .isEqualTo(new ProcParsers.Status(u, u, u, u, u, u, 0)); // not numbers, no such keys
    assertThat(status("")).isEqualTo(new ProcParsers.Status(u, u, u, u, u, u, 0));
    byte[] full = "Uid:\t1000\t1000\nGid:\t100\nThreads:\t25\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(ProcParsers.parseStatus(full, 14).uid()).isEqualTo(1000); // only the given length is read
    assertThat(ProcParsers.parseStatus(full, 14).threads()).isEqualTo(u);
    long tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task")).count();
    assertThat(status(java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/status"))).threads())
        .isCloseTo(tasks, within(5L));
  }

  /** The byte parser against a line-by-line String reading, over every process's status here. */
  @Test
  void statusOfEveryProcessAgreesWithAReadingByLines() throws Exception {
    int compared = 0;
    try (var dirs = java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc"), "[0-9]*")) {
      for (java.nio.file.Path dir : dirs) {
        String text;
        try {
          text = java.nio.file.Files.readString(dir.resolve("status"));
        } catch (java.io.IOException gone) {
          continue;
        }
        java.util.Map<String, String> fields = new java.util.HashMap<>();
        for (String line : text.split("\n")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
          }
        }
        java.util.function.Function<String, Long> first = k -> fields.containsKey(k) && !fields.get(k).isEmpty()
            ? Long.parseLong(fields.get(k).split("\\s+")[0]) : ProcParsers.UNKNOWN;
        long rssKb = first.apply("VmRSS");
        ProcParsers.Status expected = new ProcParsers.Status(first.apply("Uid"), first.apply("Gid"),
            rssKb < 0 ? rssKb : rssKb * 1024, first.apply("Threads"), first.apply("voluntary_ctxt_switches"),
            first.apply("nonvoluntary_ctxt_switches"), ProcParsers.countCpuList(fields.getOrDefault("Cpus_allowed_list", "")));
        assertThat(status(text)).as(dir.toString()).isEqualTo(expected);
        compared++;
      }
    }
    assertThat(compared).isGreaterThan(10);
  }

  static ProcParsers.Status status(String text) {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return ProcParsers.parseStatus(b, b.length);
  }

  @Test
  void statusOfAKernelThreadHasNoMemory() {
    ProcParsers.Status s = status("Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1");
    assertThat(s.rssBytes()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.voluntaryCtxt()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.threads()).isEqualTo(1);
  }

  @Test
  void cpuLists() {
    assertThat(ProcParsers.countCpuList("0")).isEqualTo(1);
    assertThat(ProcParsers.countCpuList("0-63")).isEqualTo(64);
    assertThat(ProcParsers.countCpuList("3-1")).isZero();
    assertThat(ProcParsers.countCpuList("x")).isZero();
    assertThat(ProcParsers.countCpuList("")).isZero();
  }

  @Test
  void limitsSoftValuesAndUnlimited() {
    String limits =
        """
        Limit                     Soft Limit           Hard Limit           Units
        Max cpu time              unlimited            unlimited            seconds
        Max open files            1024                 1048576              files
        Max address space         unlimited            unlimited            bytes
        """;
    ProcParsers.Limits l = ProcParsers.parseLimits(limits);
    assertThat(l.maxOpenFiles()).isEqualTo(1024);
    assertThat(l.maxAddressSpace()).isInfinite();
    assertThat(ProcParsers.parseLimits("Max open files   oops").maxOpenFiles()).isNaN();
    assertThat(ProcParsers.parseLimits("").maxAddressSpace()).isNaN();
  }

  @Test
  void procStatPerCpuModesAndCounters() {
    String stat =
        """
        cpu  10132153 290696 3084719 46828483 16683 0 25195 0 175628 0
        cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0
        cpu1 1335 25 8 100000 200 0 5 7
        cpu2 1 2
        intr 199292 0 0
        ctxt 1990473
        btime 1062191376
        processes 2915
        procs_running 4
        procs_blocked 2
        softirq 345678 1 2 3
        """;
    ProcParsers.HostStat s = ProcParsers.parseProcStat(stat);
    assertThat(s.cpus()).hasSize(2); // cpu2 is truncated below user/system/idle and skipped
    assertThat(s.cpus().get(0).cpu()).isEqualTo("0");
    assertThat(s.cpus().get(0).user()).isCloseTo(13932.80, within(1e-9));
    assertThat(s.cpus().get(0).softirq()).isCloseTo(178.75, within(1e-9));
    assertThat(s.cpus().get(1).steal()).isCloseTo(0.07, within(1e-9));
    assertThat(s.cpus().get(0).guest()).isCloseTo(239.33, within(1e-9));
    assertThat(s.cpus().get(0).guestNice()).isZero();
    assertThat(s.cpus().get(1).guest()).as("a kernel without guest time").isNaN();
    assertThat(s.ctxt()).isEqualTo(1990473);
    assertThat(s.btime()).isEqualTo(1062191376);
    assertThat(s.processes()).isEqualTo(2915);
    assertThat(s.intr()).isEqualTo(199292);
    assertThat(s.softirq()).isEqualTo(345678);
    assertThat(s.procsRunning()).isEqualTo(4);
    assertThat(s.procsBlocked()).isEqualTo(2);
  }

  @Test
  void oldKernelWithoutStealHasNaN() {
    ProcParsers.HostStat s = ProcParsers.parseProcStat("cpu0 1 2 3 4 5 6 7\n");
    assertThat(s.cpus().get(0).softirq()).isCloseTo(0.07, within(1e-9));
    assertThat(s.cpus().get(0).steal()).isNaN();
    assertThat(s.ctxt()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.intr()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.softirq()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.procsRunning()).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(s.procsBlocked()).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void loadavg() {
    assertThat(ProcParsers.parseLoadavg("0.50 1.25 2.00 1/123 4567\n")).containsExactly(0.5, 1.25, 2.0);
    assertThat(ProcParsers.parseLoadavg("0.5")).containsExactly(0.5, Double.NaN, Double.NaN);
    assertThat(ProcParsers.parseLoadavg("12 x.5 3.1.4")).containsExactly(12.0, Double.NaN, Double.NaN);
    assertThat(ProcParsers.parseLoadavg("")).containsExactly(Double.NaN, Double.NaN, Double.NaN);
  }

  @Test
  void decimalsAreParsedExactlyAsDoubleParseDoubleDoes() {
    java.util.Random random = new java.util.Random(42);
    for (int i = 0; i < 200_000; i++) {
      String s = random.nextInt(100_000) + "." + String.format("%0" + (1 + random.nextInt(6)) + "d", random.nextInt(1_000_000) % (int) Math.pow(10, 1 + random.nextInt(6)));
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(ProcParsers.decimal(b, 0, b.length)).as(s).isEqualTo(Double.parseDouble(s));
    }
    for (String s : new String[] {"0", "0.00", "7.", "123456789012345", "0.1", "0.3", "2.675"}) {
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(ProcParsers.decimal(b, 0, b.length)).as(s).isEqualTo(Double.parseDouble(s));
    }
    for (String s : new String[] {"", ".", "-1.0", "1e3", "1.2.3", "1234567890123456"}) {
      byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(ProcParsers.decimal(b, 0, b.length)).as(s).isNaN();
    }
  }

  @Test
  void hostStatKeepsOneStringPerCpuAndSkipsTheAggregateLine() {
    String text = "cpu  10 0 10 100 0 0 0 0\ncpu0 5 0 5 50 0 0 0 0\ncpu12 5 0 5 50 0 0 0 0\nprocesses 77\n";
    ProcParsers.HostStat a = ProcParsers.parseProcStat(text);
    ProcParsers.HostStat b = ProcParsers.parseProcStat(text);
    assertThat(a.cpus()).extracting(c -> c.cpu()).containsExactly("0", "12");
    assertThat(b.cpus().get(1).cpu()).isSameAs(a.cpus().get(1).cpu());
    assertThat(a.processes()).isEqualTo(77);
    assertThat(a.ctxt()).isEqualTo(ProcParsers.UNKNOWN);
  }

  @Test
  void parseLongRejectsNonDigitsAndOverflow() {
    assertThat(ProcParsers.parseLong("123", 0, 3)).isEqualTo(123);
    assertThat(ProcParsers.parseLong("12a", 0, 3)).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(ProcParsers.parseLong("-5", 0, 2)).isEqualTo(ProcParsers.UNKNOWN);
    assertThat(ProcParsers.parseLong("99999999999999999999", 0, 20)).isEqualTo(ProcParsers.UNKNOWN);
  }
}
