package dev.switchyard.actors;

import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Response;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An in-test backend: answers as scripted, and records calls and completed calls per attempt id and the highest
 * number of calls it had in flight at once.
 */
public final class TestBackend implements InferenceBackend {
  private final String modelId;
  private final Function<BackendRequest, CompletionStage<Response>> behaviour;
  public final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  public final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
  public final AtomicInteger inFlight = new AtomicInteger();
  public final AtomicInteger maxInFlight = new AtomicInteger();
  public final AtomicInteger totalCalls = new AtomicInteger();
  /** The output-token cap each attempt id was called with. */
  public final Map<String, Integer> maxTokens = new ConcurrentHashMap<>();
  /** The trace context each attempt id was called with, for those called with one. */
  public final Map<String, String> traceparents = new ConcurrentHashMap<>();

  public TestBackend(String modelId, Function<BackendRequest, CompletionStage<Response>> behaviour) {
    this.modelId = modelId;
    this.behaviour = behaviour;
  }

  public static TestBackend answering(String modelId, String text, double confidence, double cost, Double score) {
    return new TestBackend(modelId, r -> CompletableFuture.completedFuture(response(modelId, text, confidence, cost,
        score)));
  }

  public static TestBackend delayed(String modelId, long millis, String text, double confidence) {
    return new TestBackend(modelId, r -> CompletableFuture.supplyAsync(() -> response(modelId, text, confidence,
        0.001, 1.0), CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)));
  }

  public static Response response(String modelId, String text, double confidence, double cost, Double score) {
    return new Response(modelId, text, 10, 20, 5.0, cost, 0.0, confidence, score, null);
  }

  @Override
  public String modelId() {
    return modelId;
  }

  @Override
  public CompletionStage<Response> complete(BackendRequest request) {
    totalCalls.incrementAndGet();
    calls.computeIfAbsent(request.attemptId(), k -> new AtomicInteger()).incrementAndGet();
    maxTokens.put(request.attemptId(), request.maxTokens());
    if (request.traceparent() != null) {
      traceparents.put(request.attemptId(), request.traceparent());
    }
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    CompletionStage<Response> stage;
    try {
      stage = behaviour.apply(request);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      throw e;
    }
    return stage.whenComplete((response, error) -> {
      inFlight.decrementAndGet();
      if (response != null) {
        completions.computeIfAbsent(request.attemptId(), k -> new AtomicInteger()).incrementAndGet();
      }
    });
  }

  public int completed(String attemptId) {
    AtomicInteger n = completions.get(attemptId);
    return n == null ? 0 : n.get();
  }

  public int called(String attemptId) {
    AtomicInteger n = calls.get(attemptId);
    return n == null ? 0 : n.get();
  }
}
