package dev.switchyard.actors.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Response;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A call that takes its tokens as they arrive: each piece goes to the caller as the backend produces it, before
 * the answer; a call with no first token within {@code first-token-timeout} times out (and is cancelled) before
 * anything reached the caller; a call that fails before its first piece is retried like any call; one that fails
 * after it is {@code STREAM_BROKEN} and never retried. The pool runs on a test kit set up as
 * {@link ModelPoolTest}'s, every message through Kryo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith({TestKitJUnit5Extension.class, LogCapturingExtension.class})
class StreamedCallTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @JUnit5TestKit
  final ActorTestKit kit = new JUnit5TestKitBuilder().withName("streamed-call").withCustomConfig(ModelPoolTest.CONFIG)
      .build();
  final ActorRef<Topic.Command<PoolLoad>> topic = kit.spawn(Topic.create(PoolLoad.class, "streamed-call-load"));

  /** A backend whose every stream is scripted by {@code script(request, tokens)}; counts calls and cancels. */
  static final class ScriptedStreams implements InferenceBackend {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger cancels = new AtomicInteger();
    final BiFunction<Integer, Consumer<String>, CompletionStage<Response>> script;

    ScriptedStreams(BiFunction<Integer, Consumer<String>, CompletionStage<Response>> script) {
      this.script = script;
    }

    @Override
    public String modelId() {
      return "m";
    }

    @Override
    public CompletionStage<Response> complete(BackendRequest request) {
      throw new AssertionError("a call taking its tokens must stream");
    }

    @Override
    public StreamingCall stream(BackendRequest request, Consumer<String> tokens) {
      return new StreamingCall(script.apply(calls.incrementAndGet(), tokens), cancels::incrementAndGet);
    }
  }

  private static BackendRequest streamed(String attemptId) {
    return new BackendRequest(attemptId, "m", List.of(ChatMessage.user("q")), "q", 0).withStreamTokens();
  }

  private static Response answer(String text) {
    return new Response("m", text, 3, 2, 5, 0.0, 0, null, null, null);
  }

  private ActorRef<ModelPool.Command> pool(InferenceBackend backend, Duration firstToken) {
    var settings = ModelPoolTest.settings(1, 10, 5, Duration.ofSeconds(1));
    settings = settings.withLimits(1, 10, Duration.ofSeconds(20), firstToken);
    return kit.spawn(ModelPool.create("m", List.of(backend), settings, Clock.systemUTC(),
        topic, ModelPoolTest.metrics));
  }

  @Test
  void eachPieceReachesTheCallerAsTheBackendProducesItBeforeTheAnswer() {
    CompletableFuture<Response> held = new CompletableFuture<>();
    AtomicInteger produced = new AtomicInteger();
    ScriptedStreams backend = new ScriptedStreams((n, tokens) -> {
      tokens.accept("Par");
      produced.incrementAndGet();
      return held.thenApply(r -> r);
    });
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool(backend, Duration.ofSeconds(5)).tell(new ModelPool.Call(streamed("s1/1"), probe.getRef()));

    // the answer is still held by the backend: only the first piece can have come
    ModelPool.TokensArrived first = assertInstanceOf(ModelPool.TokensArrived.class,
        ModelPoolTest.outcome(probe, WAIT));
    assertEquals(new ModelPool.TokensArrived("s1/1", 0, "Par"), first);
    assertEquals(1, produced.get());
    held.complete(answer("Paris"));
    ModelPool.CallAnswered done = assertInstanceOf(ModelPool.CallAnswered.class, ModelPoolTest.outcome(probe, WAIT));
    assertEquals("Paris", done.response().text());
  }

  @Test
  void aStreamWithoutAFirstTokenInTimeTimesOutAndIsCancelledBeforeAnythingReachedTheCaller() {
    ScriptedStreams silent = new ScriptedStreams((n, tokens) -> new CompletableFuture<>());
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool(silent, Duration.ofMillis(300)).tell(new ModelPool.Call(streamed("s2/1"), probe.getRef()));

    ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, ModelPoolTest.outcome(probe, WAIT));
    assertEquals(FailureKind.TIMEOUT, failed.kind());
    assertTrue(failed.message().contains("no first token"), failed.message());
    assertEquals(1, silent.cancels.get(), "the backend call was cancelled");
  }

  @Test
  void aStreamThatBreaksBeforeItsFirstPieceIsRetriedLikeAnyCall() {
    ScriptedStreams flaky = new ScriptedStreams((n, tokens) -> {
      if (n == 1) {
        return CompletableFuture.failedFuture(new BackendException(BackendException.Kind.SERVER_ERROR,
            "connection reset"));
      }
      tokens.accept("ok");
      return CompletableFuture.completedFuture(answer("ok"));
    });
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool(flaky, Duration.ofSeconds(5)).tell(new ModelPool.Call(streamed("s3/1"), probe.getRef()));

    assertEquals(new ModelPool.TokensArrived("s3/1", 0, "ok"), ModelPoolTest.outcome(probe, WAIT));
    assertInstanceOf(ModelPool.CallAnswered.class, ModelPoolTest.outcome(probe, WAIT));
    assertEquals(2, flaky.calls.get(), "retried once (SERVER_ERROR = 1)");
  }

  @Test
  void aStreamThatBreaksAfterItsFirstPieceIsStreamBrokenAndNeverRetried() {
    ScriptedStreams breaking = new ScriptedStreams((n, tokens) -> {
      tokens.accept("The answer is");
      return CompletableFuture.supplyAsync(() -> {
        throw new BackendException(BackendException.Kind.SERVER_ERROR, "stream ended before [DONE]");
      }, CompletableFuture.delayedExecutor(100, java.util.concurrent.TimeUnit.MILLISECONDS));
    });
    TestProbe<ModelPool.CallResult> probe = kit.createTestProbe();
    pool(breaking, Duration.ofSeconds(5)).tell(new ModelPool.Call(streamed("s4/1"), probe.getRef()));

    assertInstanceOf(ModelPool.TokensArrived.class, ModelPoolTest.outcome(probe, WAIT));
    ModelPool.CallFailed failed = assertInstanceOf(ModelPool.CallFailed.class, ModelPoolTest.outcome(probe, WAIT));
    assertEquals(FailureKind.STREAM_BROKEN, failed.kind());
    assertTrue(failed.message().contains("stream ended before [DONE]"), failed.message());
    probe.expectNoMessage(Duration.ofMillis(500));
    assertEquals(1, breaking.calls.get(), "SERVER_ERROR is retried once, but not once the stream had begun");
  }
}
