package dev.switchyard.actors.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.shadow.ShadowRegistry.Command;
import dev.switchyard.actors.shadow.ShadowRegistry.Event;
import dev.switchyard.actors.shadow.ShadowRegistry.Installed;
import dev.switchyard.actors.shadow.ShadowRegistry.Report;
import dev.switchyard.actors.shadow.ShadowRegistry.ShadowsPublished;
import dev.switchyard.actors.shadow.ShadowRegistry.State;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The shadow registry's commands, the events they journal and the state those events build, on Pekko's in-memory
 * journal, every command, event and state through its configured serializer (Kryo, Jackson): install, replace,
 * remove, promote (acting for a fixed pipeline, adopted for a learned one), a promotion of a replaced shadow that
 * does nothing, and recovery of the same state after a restart. Every change is published, numbered by its journal
 * sequence number.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class ShadowRegistryTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0\n"
          + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\npekko.loglevel = WARNING"))
      .withFallback(NodeConfig.load());
  private static final long NOW = 1_700_000_000_000L;

  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("shadow-registry").withCustomConfig(CONFIG).build();

  private TestProbe<ShadowsPublished> published;
  private EventSourcedBehaviorTestKit<Command, Event, State> registry;
  private int topics;

  @BeforeEach
  void start() {
    published = kit.createTestProbe();
    ActorRef<Topic.Command<ShadowsPublished>> topic = kit.spawn(
        Topic.create(ShadowsPublished.class, "shadows-" + ++topics));
    topic.tell(Topic.subscribe(published.getRef()));
    registry = EventSourcedBehaviorTestKit.create(kit.system(), ShadowRegistry.create(
        Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), topic, 16,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)));
    registry.clear(); // one persistence id for every test: each starts from an empty journal
  }

  static Installed shadow(String pipeline, String fingerprint) {
    return new Installed(pipeline, "{\"strategy\":\"ucb1\"}", fingerprint, NOW - 1_000);
  }

  /** The publication numbered {@code revision}, skipping older ones (recovery publishes too). */
  private ShadowsPublished publication(long revision) {
    while (true) {
      ShadowsPublished p = published.receiveMessage(Duration.ofSeconds(10));
      if (p.revision() == revision) {
        return p;
      }
      assertTrue(p.revision() < revision, "publication " + p.revision() + " while waiting for " + revision);
    }
  }

  @Test
  void installJournalsTheShadowRepliesWithoutItsTextAndPublishesIt() {
    Installed s = shadow("cascade", "ucb1@aa");
    var result = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(s, replyTo));

    assertEquals(List.of(new ShadowRegistry.ShadowInstalled(s)), result.events());
    assertEquals(new State(Map.of("cascade", s), Map.of(), Map.of()), result.state());
    Report report = result.reply();
    assertEquals("ucb1@aa", report.shadow().fingerprint());
    assertNull(report.shadow().artifactJson(), "a report names the shadow; its text only when asked for");
    assertEquals(0, report.score().queries(), "a new shadow's score starts at zero");
    assertNull(report.promoted());
    assertEquals(new ShadowsPublished(1, List.of(s), List.of()), publication(1));

    Report withText = registry.<Report>runCommand(replyTo -> new ShadowRegistry.GetReport("cascade", true, replyTo))
        .reply();
    assertEquals(s.artifactJson(), withText.shadow().artifactJson());
  }

  @Test
  void aSecondInstallReplacesTheShadowAndRemoveJournalsOnlyWhenThereIsOne() {
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(shadow("cascade", "ucb1@aa"), replyTo));
    Installed newer = shadow("cascade", "ucb1@bb");
    var replaced = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(newer, replyTo));
    assertEquals(Map.of("cascade", newer), replaced.state().shadows());

    var removed = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Remove("cascade", replyTo));
    assertEquals(List.of(new ShadowRegistry.ShadowRemoved("cascade", NOW)), removed.events());
    assertEquals(Map.of(), removed.state().shadows());
    assertEquals("ucb1@bb", removed.reply().shadow().fingerprint(), "the reply names what was removed");
    assertEquals(new ShadowsPublished(3, List.of(), List.of()), publication(3));

    var again = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Remove("cascade", replyTo));
    assertTrue(again.hasNoEvents(), "nothing to remove, nothing journaled");
    assertNull(again.reply().shadow());
  }

  @Test
  void promotingForAFixedPipelineMakesTheShadowActAndRecordsThePromotion() {
    Installed s = shadow("fixed", "cascade@cc");
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(s, replyTo));
    var result = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Promote("fixed", "cascade@cc", true,
        replyTo));

    assertEquals(List.of(new ShadowRegistry.ShadowPromoted("fixed", "cascade@cc", s, NOW)), result.events());
    assertEquals(new State(Map.of(), Map.of("fixed", s),
        Map.of("fixed", new Installed("fixed", null, "cascade@cc", NOW))), result.state());
    assertEquals("cascade@cc", result.reply().shadow().fingerprint(), "the reply names the promoted shadow");
    assertEquals("cascade@cc", result.reply().promoted());
    assertEquals(NOW, result.reply().promotedAtMillis());
    assertEquals(new ShadowsPublished(2, List.of(), List.of(s)), publication(2));
  }

  @Test
  void promotingForALearnedPipelineRecordsThePromotionWithNothingActingHere() {
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(shadow("bandit", "ucb1@dd"), replyTo));
    var result = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Promote("bandit", "ucb1@dd", false,
        replyTo));

    assertEquals(List.of(new ShadowRegistry.ShadowPromoted("bandit", "ucb1@dd", null, NOW)), result.events());
    assertEquals(Map.of(), result.state().acting(), "its learner adopted the artifact");
    assertEquals("ucb1@dd", result.state().promotions().get("bandit").fingerprint());
  }

  @Test
  void aPromotionOfAShadowThatWasReplacedMeanwhileDoesNothing() {
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(shadow("cascade", "ucb1@aa"), replyTo));
    var result = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Promote("cascade", "ucb1@zz", true,
        replyTo));

    assertTrue(result.hasNoEvents());
    assertEquals("ucb1@aa", result.state().shadows().get("cascade").fingerprint());
    assertNull(result.reply().promoted());
  }

  @Test
  void aRestartRecoversTheJournaledStateAndPublishesIt() {
    Installed acting = shadow("fixed", "cascade@cc");
    Installed pending = shadow("bandit", "ucb1@dd");
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(acting, replyTo));
    registry.<Report>runCommand(replyTo -> new ShadowRegistry.Promote("fixed", "cascade@cc", true, replyTo));
    State before = registry.<Report>runCommand(replyTo -> new ShadowRegistry.Install(pending, replyTo)).state();
    publication(3);

    assertEquals(before, registry.restart().state());
    assertEquals(new ShadowsPublished(3, List.of(pending), List.of(acting)), publication(3));
    Report report = registry.<Report>runCommand(replyTo -> new ShadowRegistry.GetReport("bandit", false, replyTo))
        .reply();
    assertEquals(0, report.score().queries(), "tallies are not journaled: a recovered shadow's score restarts");
  }

  @Test
  void aTallyThatKeepsNoQueryIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> ShadowRegistry.create(Clock.systemUTC(), null, 0,
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(10), Duration.ofMillis(100), 0)));
  }
}
