package dev.switchyard.actors.learn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.protocol.PolicySnapshot;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublicationsTest {
  private static PolicySnapshot v(long version) {
    return new PolicySnapshot("ucb1", version, version, Map.of("w", new double[] {version}), version);
  }

  @Test
  void publishEveryCountsTheEpisodesWrittenSinceTheLastPublication() {
    Publications publications = new Publications("p", 3, 100);
    assertFalse(publications.pending());
    assertFalse(publications.written(List.of("q1", "q2")));
    assertTrue(publications.pending());
    assertTrue(publications.written(List.of("q3")), "the third episode reaches publish-every");
    PolicyPublished published = publications.take(new Learner.State(3, v(3), v(3)), 1_000);
    assertEquals(List.of("q1", "q2", "q3"), published.learnedIds());
    assertFalse(publications.pending(), "counted anew after a publication");
    assertFalse(publications.written(List.of("q4")));
  }

  @Test
  void aPublicationAlsoListsTheEpisodesOfThoseJustBeforeItForABoardThatSkippedThem() {
    Publications publications = new Publications("p", 1, 50);
    publications.written(List.of("q1", "q2"));
    publications.take(new Learner.State(2, v(2), v(2)), 1_000);
    publications.written(List.of("q3"));
    publications.take(new Learner.State(3, v(3), v(3)), 1_020);
    publications.written(List.of("q4"));
    assertEquals(List.of("q1", "q2", "q3", "q4"), publications.take(new Learner.State(4, v(4), v(4)), 1_050)
        .learnedIds(), "a board notified of v4 only (one notify tick after v2) must still drop q1 to q3");
    publications.written(List.of("q5"));
    assertEquals(List.of("q4", "q5"), publications.take(new Learner.State(5, v(5), v(5)), 1_100).learnedIds(),
        "no further back than the window: v2 and v3 were published more than 50 ms before");
  }

  @Test
  void aPublicationCarriesTheActingVersionAndANewerCandidate() {
    Publications publications = new Publications("p", 10, 100);
    PolicySnapshot acting = v(2);
    PolicySnapshot newest = v(5);
    PolicyPublished manual = publications.of(new Learner.State(5, newest, acting), 0);
    assertEquals("p", manual.pipeline());
    assertSame(acting, manual.active());
    assertSame(newest, manual.candidate(), "under manual promotion the newest only decides in shadow");
    assertNull(publications.of(new Learner.State(5, newest, newest), 0).candidate(), "the newest acts: no candidate");
  }

  @Test
  void showingWhatWouldBePublishedKeepsTheEpisodesForTheNextPublication() {
    Publications publications = new Publications("p", 10, 100);
    publications.written(List.of("q1"));
    assertEquals(List.of("q1"), publications.of(new Learner.State(1, v(1), v(1)), 0).learnedIds());
    assertTrue(publications.pending());
    assertEquals(List.of("q1"), publications.take(new Learner.State(1, v(1), v(1)), 0).learnedIds());
  }
}
