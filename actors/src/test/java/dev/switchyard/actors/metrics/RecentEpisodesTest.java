package dev.switchyard.actors.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.switchyard.actors.NodeConfig;
import dev.switchyard.protocol.Episode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The last episodes a node finished: newest first, never more than the bound, safe to record from many actors. */
class RecentEpisodesTest {
  private static Episode episode(String id) {
    return new Episode(id, "switchyard/cascade", "trivia", "q", List.of(), "big", "a", 0.002, 10, null, 0, 1, 2);
  }

  private static List<String> ids(RecentEpisodes recent) {
    return recent.newestFirst().stream().map(Episode::queryId).toList();
  }

  @Test
  void keepsTheNewestUpToItsBoundNewestFirst() {
    RecentEpisodes recent = new RecentEpisodes(3);
    for (int i = 1; i <= 5; i++) {
      recent.finished(episode("q" + i));
    }
    assertEquals(List.of("q5", "q4", "q3"), ids(recent));
  }

  @Test
  void aBoundOfZeroKeepsNone() {
    RecentEpisodes recent = new RecentEpisodes(0);
    recent.finished(episode("q1"));
    assertEquals(List.of(), ids(recent));
  }

  @Test
  void theBoundComesFromReferenceConfAndMustNotBeNegative() {
    assertEquals(50, RecentEpisodes.fromConfig(NodeConfig.load()).capacity());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RecentEpisodes(-1));
    assertEquals("switchyard.dashboard.recent-episodes must be >= 0, got -1", e.getMessage());
  }

  @Test
  void manyThreadsRecordingAtOnceLeaveExactlyTheBound() throws Exception {
    RecentEpisodes recent = new RecentEpisodes(10);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        start.await();
        for (int i = 0; i < 1000; i++) {
          recent.finished(episode("t" + thread + "-" + i));
          recent.newestFirst();
        }
        return null;
      }));
    }
    start.countDown();
    for (var f : done) {
      f.get(30, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertEquals(10, recent.newestFirst().size());
    assertEquals(10, ids(recent).stream().distinct().count());
  }
}
