package dev.switchyard.actors.learn;

import static dev.switchyard.actors.EngineHarness.card;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.EngineHarness;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.TestBackend;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PolicySnapshot;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.bandit.Ucb1Bandit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A learned pipeline with {@code reward = judge} or {@code reward = agreement} learns a query no feedback came
 * for within {@code signal-after} from a call to its {@code reward-model}, made by the real learner through the
 * real pool of that model (the models are in-test backends): the judge's score, read on its 1..10 scale, or
 * whether the reward model's answer to the same query agrees. An unparsable judgement is not learned and is
 * counted; a feedback in time, or while the judge is still being asked, wins; a query is learned once.
 *
 * <p>Each pipeline is a one-armed UCB1 with cost weight 0 over {@code small}, so its {@code reward_sums} is the
 * sum of the rewards it learned and {@code pulls} how many queries it learned.
 */
@ExtendWith(LogCapturingExtension.class)
class SignalRewardTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** The judges' requests, by attempt id. */
  private static final Map<String, BackendRequest> JUDGED = new ConcurrentHashMap<>();

  private static EngineHarness node;
  private static SimpleMeterRegistry registry;
  private static TestBackend slowJudge;

  @BeforeAll
  static void start() {
    slowJudge = judge("slow-judge", "8", 3_000); // so that a feedback comes while it is asked
    Map<String, List<InferenceBackend>> backends = Map.of(
        "small", List.of(TestBackend.answering("small", "4", -0.3, 0.001, null)),
        "agrees", List.of(TestBackend.answering("agrees", "2 + 2 = 4, so the answer is 4.", -0.2, 0.003, null)),
        "disagrees", List.of(TestBackend.answering("disagrees", "5", -0.2, 0.003, null)),
        "judge", List.of(judge("judge", "Score: 8/10", 0)),
        "vague-judge", List.of(judge("vague-judge", "The answer looks right to me.", 0)),
        "slow-judge", List.of(slowJudge));
    EngineSetup setup = new EngineSetup(List.of(card("small", 1), card("agrees", 3), card("disagrees", 3),
        card("judge", 5), card("vague-judge", 5), card("slow-judge", 5)), backends, List.of(
            learned("judged", RewardSignal.judge("judge", null)),
            learned("misjudged", RewardSignal.judge("vague-judge", null)),
            learned("fed", RewardSignal.judge("slow-judge", null)),
            learned("agreeing", RewardSignal.agreement("agrees")),
            learned("disagreeing", RewardSignal.agreement("disagrees"))));
    ActorTestKit kit = ActorTestKit.create("signal-reward",
        EngineHarness.config("switchyard.learner.feedback-window.signal-after = 1500ms\n"));
    registry = new SimpleMeterRegistry();
    node = EngineHarness.wrap(kit, EngineNode.start(kit.system(), setup, Clock.systemUTC(), registry));
    node.awaitUp();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static TestBackend judge(String id, String reply, long delayMillis) {
    return new TestBackend(id, r -> {
      JUDGED.put(r.attemptId(), r);
      return CompletableFuture.supplyAsync(() -> TestBackend.response(id, reply, -0.1, 0.002, null),
          CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS));
    });
  }

  private static PipelineDefinition learned(String name, RewardSignal reward) {
    return PipelineDefinition.learned(name, "UCB1 over small", () -> new Ucb1Bandit(name, List.of("small"), 0, 1, 0))
        .withReward(reward);
  }

  @Test
  void theJudgesScoreIsTheRewardAndItsCallIsTheJudgeModelsUsualCall() throws Exception {
    ask("graded", "judged");

    PolicySnapshot learned = awaitLearned("judged", 1);
    assertEquals(7 / 9.0, learned.parameter("reward_sums")[0], 1e-9, "8 on the scale 1..10");
    String prompt = JUDGED.get("graded/reward").messages().get(0).content();
    assertTrue(prompt.contains("What is 2 + 2? (graded)") && prompt.contains("Answer:\n4\n"), prompt);
    assertEquals(1.0, count("switchyard.model.calls", "model", "judge", "outcome", "answered"),
        "the judge call is counted with the judge model's calls");
    assertEquals(0.002, registry.get("switchyard.model.cost").tag("model", "judge").counter().count(), 1e-12);
    assertEquals(1.0, signals("judged", "learned"));
  }

  @Test
  void anUnparsableJudgementIsNotLearnedButCountedAndAFeedbackMayStillCome() throws Exception {
    ask("vague", "misjudged");

    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      assertEquals(1.0, signals("misjudged", "unparsable"));
      return null;
    });
    assertTrue(JUDGED.containsKey("vague/reward"), "the judge was asked");
    Thread.sleep(1_000); // a learned episode would be written and published by now
    assertEquals(0, policy("misjudged").active().version(), "not learned");
    assertEquals(0.0, signals("misjudged", "learned"));

    node.await(node.engine.feedback(new Feedback("vague", 0.5, "user", false)));
    assertEquals(0.5, awaitLearned("misjudged", 1).parameter("reward_sums")[0], "a feedback still is its reward");
  }

  @Test
  void anAgreeingAnswerIsLearnedAsOneAndADisagreeingOneAsZero() throws Exception {
    ask("agreed", "agreeing");
    ask("disputed", "disagreeing");

    assertEquals(1.0, awaitLearned("agreeing", 1).parameter("reward_sums")[0],
        "'4' and '... the answer is 4.' state the same final answer");
    assertEquals(0.0, awaitLearned("disagreeing", 1).parameter("reward_sums")[0], "'4' and '5' do not");
    assertEquals(1.0, count("switchyard.model.calls", "model", "agrees", "outcome", "answered"));
  }

  @Test
  void aFeedbackInTimeOrWhileTheJudgeIsAskedWinsAndTheQueryIsLearnedOnce() throws Exception {
    ask("early", "fed");
    node.await(node.engine.feedback(new Feedback("early", 1.0, "user", false)));
    ask("late", "fed");
    TestProbe<Object> probe = node.kit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      assertEquals(1, slowJudge.called("late/reward"), "signal-after passed: the judge is being asked");
      return null;
    });
    node.await(node.engine.feedback(new Feedback("late", 0.25, "user", false)));

    PolicySnapshot learned = awaitLearned("fed", 2);
    assertEquals(1.25, learned.parameter("reward_sums")[0], 1e-9, "both feedbacks, neither judgement");
    probe.awaitAssert(WAIT, () -> {
      assertEquals(1.0, signals("fed", "superseded"), "the judge's late grade is dropped");
      return null;
    });
    assertEquals(0, slowJudge.called("early/reward"), "a query with its feedback in time is never judged");
    assertEquals(2.0, pullsOf(policy("fed").active()), "learned once each");
  }

  private static void ask(String id, String pipeline) throws Exception {
    node.await(node.engine.answer(Query.ofText(id, "What is 2 + 2? (" + id + ")"), pipeline, Durability.EPHEMERAL));
  }

  private static PolicySnapshot awaitLearned(String pipeline, int queries) {
    TestProbe<Object> probe = node.kit.createTestProbe();
    return probe.awaitAssert(WAIT, () -> {
      PolicySnapshot active = policy(pipeline).active();
      assertEquals(queries, pullsOf(active), pipeline + " learned " + queries + " queries");
      return active;
    });
  }

  private static double pullsOf(PolicySnapshot policy) {
    return policy.version() == 0 ? 0 : policy.parameter("pulls")[0];
  }

  private static double signals(String pipeline, String outcome) {
    Counter c = registry.find("switchyard.learner.reward.signals").tag("pipeline", pipeline)
        .tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  private static double count(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static PolicyPublished policy(String pipeline) {
    TestProbe<PolicyPublished> probe = node.kit.createTestProbe();
    node.learner(pipeline).tell(new Learner.GetPolicy(probe.getRef()));
    return probe.receiveMessage(Duration.ofSeconds(30));
  }
}
