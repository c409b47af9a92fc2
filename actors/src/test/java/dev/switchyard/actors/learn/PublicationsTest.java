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
    Publications publications = new Publications("p", 3);
    assertFalse(publications.pending());
    assertFalse(publications.written(List.of("q1", "q2")));
    assertTrue(publications.pending());
    assertTrue(publications.written(List.of("q3")), "the third episode reaches publish-every");
    PolicyPublished published = publications.take(new Learner.State(3, v(3), v(3)));
    assertEquals(List.of("q1", "q2", "q3"), published.learnedIds());
    assertFalse(publications.pending(), "counted anew after a publication");
    assertFalse(publications.written(List.of("q4")));
    assertEquals(List.of("q4"), publications.take(new Learner.State(4, v(4), v(4))).learnedIds());
  }

  @Test
  void aPublicationCarriesTheActingVersionAndANewerCandidate() {
    Publications publications = new Publications("p", 10);
    PolicySnapshot acting = v(2);
    PolicySnapshot newest = v(5);
    PolicyPublished manual = publications.of(new Learner.State(5, newest, acting));
    assertEquals("p", manual.pipeline());
    assertSame(acting, manual.active());
    assertSame(newest, manual.candidate(), "under manual promotion the newest only decides in shadow");
    assertNull(publications.of(new Learner.State(5, newest, newest)).candidate(), "the newest acts: no candidate");
  }

  @Test
  void showingWhatWouldBePublishedKeepsTheEpisodesForTheNextPublication() {
    Publications publications = new Publications("p", 10);
    publications.written(List.of("q1"));
    assertEquals(List.of("q1"), publications.of(new Learner.State(1, v(1), v(1))).learnedIds());
    assertTrue(publications.pending());
    assertEquals(List.of("q1"), publications.take(new Learner.State(1, v(1), v(1))).learnedIds());
  }
}
