package io.procagent.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WorkerTest {

  @Test
  void tasksRunInOrderOneAtATimeOnOneNamedThread() throws Exception {
    Worker w = new Worker("test-worker", 60_000);
    List<String> ran = new CopyOnWriteArrayList<>();
    CountDownLatch gate = new CountDownLatch(1);
    CountDownLatch all = new CountDownLatch(3);
    w.execute(() -> {
      await(gate); // the next two queue behind this one
      ran.add("1 " + Thread.currentThread().getName());
      all.countDown();
    });
    w.execute(() -> {
      ran.add("2 " + Thread.currentThread().getName());
      all.countDown();
    });
    w.execute(() -> {
      ran.add("3 " + Thread.currentThread().getName());
      all.countDown();
    });
    assertThat(ran).isEmpty();
    gate.countDown();
    assertThat(all.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(ran).containsExactly("1 test-worker", "2 test-worker", "3 test-worker");
    w.shutdownNow();
  }

  @Test
  void theThreadEndsWhenIdleAndAnotherStartsForTheNextTask() throws Exception {
    Worker w = new Worker("test-idle", 100);
    CountDownLatch first = new CountDownLatch(1);
    w.execute(first::countDown);
    assertThat(first.await(5, TimeUnit.SECONDS)).isTrue();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (w.running() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(w.running()).isFalse();
    CountDownLatch second = new CountDownLatch(1);
    w.execute(second::countDown);
    assertThat(second.await(5, TimeUnit.SECONDS)).isTrue();
    w.shutdownNow();
  }

  @Test
  void aFailingTaskDoesNotStopTheNext() throws Exception {
    Worker w = new Worker("test-failing", 60_000);
    w.execute(() -> {
      throw new IllegalStateException("boom");
    });
    w.execute(() -> {
      throw new StackOverflowError("an Error too");
    });
    CountDownLatch next = new CountDownLatch(1);
    w.execute(next::countDown);
    assertThat(next.await(5, TimeUnit.SECONDS)).isTrue();
    w.shutdownNow();
  }

  @Test
  void afterShutdownTasksAreRefusedAndTheRunningOneIsInterrupted() throws Exception {
    Worker w = new Worker("test-shutdown", 60_000);
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    w.execute(() -> {
      started.countDown();
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
      }
    });
    assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
    w.shutdownNow();
    assertThat(interrupted.await(5, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> w.execute(() -> {})).isInstanceOf(RejectedExecutionException.class);
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
