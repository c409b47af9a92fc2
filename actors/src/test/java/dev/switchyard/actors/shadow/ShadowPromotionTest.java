package dev.switchyard.actors.shadow;

import static dev.switchyard.actors.EngineHarness.card;
import static dev.switchyard.actors.EngineHarness.query;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.TestJournal;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.learn.PolicyPublished;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.bandit.RewardModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * An artifact installed as a pipeline's shadow while serving: it decides every query in shadow (recorded in the
 * episode under its fingerprint, never acted on) and is scored from the episodes' rewards; promoted, its state is
 * adopted by the pipeline's learner, journaled, so a restart keeps serving it; a bad artifact is refused naming the
 * problem. And a learned pipeline started from an artifact journals that start, so its journal wins on restart.
 */
@ExtendWith(LogCapturingExtension.class)
class ShadowPromotionTest {
  /** small answers wrong (score 0), large right (score 1): a cold UCB1 learns to send everything to large. */
  static EngineSetup setup(PipelineDefinition.Start start) {
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(TestBackend.answering("small", "four?", 0.3, 0.001, 0.0)),
        "large", List.of(TestBackend.answering("large", "4", 0.95, 0.01, 1.0)));
    PipelineDefinition bandit = PipelineDefinition.learned("bandit", "UCB1 over two models", LearnerCatalog.all()
        .get("ucb1").build(Map.of("exploration", 0.0), new LearnerCatalog.Context(List.of("small", "large"),
            RewardModel.costOnly(0, 1), null, 1)));
    return new EngineSetup(List.of(card("small", 1), card("large", 10)), backends,
        List.of(start == null ? bandit : bandit.startingFrom(start)));
  }

  static Config config(Path dir) {
    return EngineHarness.config("", TestJournal.kept(dir));
  }

  /** A trained UCB1 that has seen small win 50 times and large lose once: it routes everything to small. */
  static PolicyArtifact prefersSmall(String strategy, List<String> models) {
    return new PolicyArtifact(PolicyArtifact.FORMAT_VERSION, strategy, 0.0, Map.of("exploration", 0.0), models,
        new PolicyArtifact.DataFingerprint("test", "0", 51, 0, false, 1), List.of(), null,
        new PolicyArtifact.LearnerState(1, 1, 51, Map.of("pulls", new double[] {50, 1},
            "reward_sums", new double[] {50, 0})));
  }

  static PolicyPublished policy(EngineHarness node) throws Exception {
    TestProbe<PolicyPublished> probe = node.kit.createTestProbe();
    node.learner("bandit").tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }

  static QueryResult ask(EngineHarness node, String id) throws Exception {
    return node.await(node.engine.answer(query(id, Budget.unlimited()), "bandit", Durability.EPHEMERAL));
  }

  static List<EpisodeStep> shadowSteps(QueryResult r, String fingerprint) {
    return r.episode().steps().stream().filter(s -> s.decision().startsWith("shadow:" + fingerprint + ":")).toList();
  }

  @Test
  void anInstalledShadowDecidesInShadowIsScoredAndOncePromotedActsAndSurvivesARestart() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "shadow-promote-" + UUID.randomUUID()));
    PolicyArtifact artifact = prefersSmall("ucb1", List.of("small", "large"));
    String fp = artifact.fingerprint();
    long adoptedVersion;
    try (EngineHarness node = EngineHarness.start("shadow-promote", config(dir), setup(null))) {
      for (int i = 0; i < 3; i++) {
        ask(node, "warm-" + i); // small, large, then large for good: what the acting policy learned
      }
      // the learner has journaled all three before the shadow comes: a promotion below adopts on top of them
      TestProbe<Object> learned = node.kit.createTestProbe();
      learned.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(3, policy(node).active().version());
        return null;
      });
      ShadowRegistry.Report installed = node.await(node.engine.installShadow("bandit", artifact.toJson()));
      assertEquals(fp, installed.shadow().fingerprint());
      assertEquals(0, installed.score().queries());

      TestProbe<Object> probe = node.kit.createTestProbe();
      int[] n = {0};
      QueryResult shadowed = probe.awaitAssert(EngineHarness.WAIT, () -> {
        QueryResult r = ask(node, "shadowed-" + n[0]++);
        assertEquals(2, shadowSteps(r, fp).size(), "its route, and its answer once large had answered: "
            + r.episode().steps());
        return r;
      });
      assertEquals("large", shadowed.episode().answerModel(), "the shadow is never acted on");
      assertEquals("small", shadowSteps(shadowed, fp).get(0).modelId(), "the shadow would have chosen small");

      ShadowRegistry.Report report = probe.awaitAssert(EngineHarness.WAIT, () -> {
        ShadowRegistry.Report r = node.await(node.engine.shadow("bandit"));
        assertTrue(r.score().queries() >= 1, r.toString());
        return r;
      });
      assertEquals(fp, report.score().fingerprint());
      assertEquals(0, report.score().agreedQueries(), "it disagreed with the acting policy every time");
      assertEquals(2 * report.score().queries(), report.score().decisions());
      assertEquals(report.score().queries(), report.score().agreedDecisions(), "it agreed only to answer with large");
      assertEquals(report.score().queries(), report.score().rewardedDisagreed(), "each episode had its reward");
      assertEquals(1.0, report.score().meanRewardDisagreed(), 1e-9, "where it disagreed the acting policy scored 1");
      assertNull(report.score().meanRewardAgreed());

      Engine.Promotion promotion = node.await(node.engine.promoteShadow("bandit"));
      assertEquals(fp, promotion.promoted());
      assertNotNull(promotion.version());
      adoptedVersion = promotion.version();
      PolicyPublished adopted = policy(node);
      assertEquals(adoptedVersion, adopted.active().version());
      assertEquals(50, adopted.active().parameter("pulls")[0], 1e-9, "the learner's state is the artifact's");
      QueryResult after = probe.awaitAssert(EngineHarness.WAIT, () -> {
        QueryResult r = ask(node, "after-" + n[0]++);
        assertTrue(r.episode().policyVersion() >= adoptedVersion, "decided with the adopted version");
        return r;
      });
      assertEquals("small", after.episode().answerModel(), "the promoted state acts");
      assertTrue(shadowSteps(after, fp).isEmpty(), "a promoted shadow no longer decides in shadow");
      assertNull(node.await(node.engine.shadow("bandit")).shadow());
      assertEquals(fp, node.await(node.engine.shadow("bandit")).promoted());
    }
    try (EngineHarness again = EngineHarness.start("shadow-restart", config(dir), setup(null))) {
      TestProbe<Object> probe = again.kit.createTestProbe();
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        PolicyPublished p = policy(again);
        assertTrue(p.active().version() > adoptedVersion, "the journal replayed the adoption and what came after");
        assertTrue(p.active().parameter("pulls")[0] >= 50, "still the adopted state: a promotion is not undone");
        return null;
      });
      assertEquals(fp, again.await(again.engine.shadow("bandit")).promoted(), "the promotion is on record");
    }
  }

  @Test
  void aShadowCanBeRemovedAndABadArtifactIsRefusedNamingTheProblem() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "shadow-bad-" + UUID.randomUUID()));
    try (EngineHarness node = EngineHarness.start("shadow-bad", config(dir), setup(null))) {
      assertEquals("strategy", refusal(node, "bandit", prefersSmall("thompson", List.of("small", "large"))
          .toJson()).param());
      assertEquals("models", refusal(node, "bandit", prefersSmall("ucb1", List.of("small", "huge")).toJson())
          .param());
      EngineRejection version = refusal(node, "bandit", prefersSmall("ucb1", List.of("small", "large")).toJson()
          .replace("\"formatVersion\" : " + PolicyArtifact.FORMAT_VERSION, "\"formatVersion\" : 7"));
      assertEquals("body", version.param());
      assertTrue(version.getMessage().contains("format version 7"), version.getMessage());
      // every node gets the shadows in one transport message: one over the frame size would never arrive
      EngineRejection tooLarge = refusal(node, "bandit", prefersSmall("ucb1", List.of("small", "large")).toJson()
          + " ".repeat(300 * 1024));
      assertEquals("body", tooLarge.param());
      assertTrue(tooLarge.getMessage().contains("maximum-frame-size"), tooLarge.getMessage());
      assertEquals(EngineRejection.Reason.UNKNOWN_PIPELINE, refusal(node, "nope", "{}").reason());
      assertEquals(EngineRejection.Reason.NOT_FOUND, failure(node.engine.removeShadow("bandit")).reason());

      PolicyArtifact artifact = prefersSmall("ucb1", List.of("small", "large"));
      node.await(node.engine.installShadow("bandit", artifact.toJson()));
      assertEquals(artifact.fingerprint(), node.await(node.engine.removeShadow("bandit")).shadow().fingerprint());
      assertNull(node.await(node.engine.shadow("bandit")).shadow());
      TestProbe<Object> probe = node.kit.createTestProbe();
      int[] n = {0};
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertTrue(shadowSteps(ask(node, "removed-" + n[0]++), artifact.fingerprint()).isEmpty());
        return null;
      });
    }
  }

  @Test
  void aLearnerStartedFromAnArtifactJournalsItsStartAndItsJournalWinsOnRestart() throws Exception {
    Path dir = Files.createDirectories(Path.of("target", "learner-start-" + UUID.randomUUID()));
    PolicyArtifact artifact = prefersSmall("ucb1", List.of("small", "large"));
    PipelineDefinition cold = setup(null).pipelines().get(0);
    PipelineDefinition.Start start = new PipelineDefinition.Start(artifact.snapshot(cold.learner().get(),
        List.of("small", "large"), 0), artifact.fingerprint());
    try (EngineHarness node = EngineHarness.start("learner-start", config(dir), setup(start))) {
      TestProbe<Object> probe = node.kit.createTestProbe();
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(1, policy(node).active().version(), "the start is the learner's first journaled version");
        return null;
      });
      assertEquals(50, policy(node).active().parameter("pulls")[0], 1e-9);
      QueryResult r = ask(node, "from-artifact");
      assertEquals("small", r.episode().answerModel(), "it decides with the trained state");
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        assertEquals(51, policy(node).active().parameter("pulls")[0], 1e-9, "and keeps learning");
        return null;
      });
    }
    PolicyArtifact other = prefersSmall("ucb1", List.of("large", "small")); // the opposite preference
    PipelineDefinition.Start otherStart = new PipelineDefinition.Start(other.snapshot(cold.learner().get(),
        List.of("large", "small"), 0), other.fingerprint());
    try (EngineHarness again = EngineHarness.start("learner-restart", config(dir), setup(otherStart))) {
      TestProbe<Object> probe = again.kit.createTestProbe();
      probe.awaitAssert(EngineHarness.WAIT, () -> {
        PolicyPublished p = policy(again);
        assertEquals(2, p.active().version());
        assertEquals(51, p.active().parameter("pulls")[0], 1e-9, "the journal wins over the configured artifact");
        return null;
      });
    }
  }

  private static EngineRejection refusal(EngineHarness node, String pipeline, String json) {
    return failure(node.engine.installShadow(pipeline, json));
  }

  private static EngineRejection failure(java.util.concurrent.CompletionStage<?> stage) {
    CompletionException e = assertThrows(CompletionException.class, () -> stage.toCompletableFuture().join());
    assertTrue(e.getCause() instanceof EngineRejection, e.toString());
    return (EngineRejection) e.getCause();
  }
}
