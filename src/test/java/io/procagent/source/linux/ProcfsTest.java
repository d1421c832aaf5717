package io.procagent.source.linux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** How procfs's way of counting open descriptors is learned: from listings, not one probe. */
class ProcfsTest {

  @Test
  void aListingThatAgreesWithTheSizeAroundItDecidesTheSizeIsTheCount() {
    Procfs p = new Procfs(Path.of("/nonexistent-proc"));
    assertThat(p.fdSizeIsCount()).isNull();
    p.learn(5, 6, 6); // a descriptor opened during the listing: no decision yet
    p.learn(7, 7, 9); // nor a listing that disagrees
    assertThat(p.fdSizeIsCount()).isNull();
    p.learn(5, 5, 6); // our own listing's descriptor counts too
    assertThat(p.fdSizeIsCount()).isTrue();
    Procfs other = new Procfs(Path.of("/nonexistent-proc"));
    other.learn(4, 4, 4); // another process's directory
    assertThat(other.fdSizeIsCount()).isTrue();
  }

  @Test
  void sizeZeroIsAnOlderKernelAndEndlessDisagreementListsForever() {
    Procfs old = new Procfs(Path.of("/nonexistent-proc"));
    for (int i = 0; i < 2 * Procfs.FD_CHECKS; i++) {
      old.learn(0, 0, 0); // an empty directory: no evidence either way
    }
    assertThat(old.fdSizeIsCount()).isNull();
    old.learn(0, 0, 12);
    assertThat(old.fdSizeIsCount()).isFalse();
    Procfs busy = new Procfs(Path.of("/nonexistent-proc"));
    for (int i = 1; i < Procfs.FD_CHECKS; i++) {
      busy.learn(10 + i, 11 + i, 11 + i);
    }
    assertThat(busy.fdSizeIsCount()).isNull();
    busy.learn(50, 51, 51);
    assertThat(busy.fdSizeIsCount()).isFalse();
    busy.learn(5, 5, 6); // decided: no longer learned
    assertThat(busy.fdSizeIsCount()).isFalse();
  }

  /** On this machine's kernel: counts list and learn until decided, later ones are a stat. */
  @Test
  @EnabledOnOs(OS.LINUX)
  void ownDescriptorsAreCountedAndTheWayIsLearned() {
    Procfs p = new Procfs(Path.of("/proc"));
    String fd = "/proc/" + ProcessHandle.current().pid() + "/fd";
    long listed = new File(fd).list().length;
    for (int i = 0; i < Procfs.FD_CHECKS && p.fdSizeIsCount() == null; i++) {
      assertThat(p.countFds(fd)).isBetween(listed - 3, listed + 3); // other test threads may open files
    }
    boolean sizeIsCount = new File(fd).length() > 0;
    assertThat(p.fdSizeIsCount()).isEqualTo(sizeIsCount);
    assertThat(p.countFds(fd)).isBetween(listed - 3, listed + 3);
  }
}
