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
final class TestBackend implements InferenceBackend {
  private final String modelId;
  private final Function<BackendRequest, CompletionStage<Response>> behaviour;
  final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  final Map<String, AtomicInteger> completions = new ConcurrentHashMap<>();
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();
  final AtomicInteger totalCalls = new AtomicInteger();
  /** The output-token cap each attempt id was called with. */
  final Map<String, Integer> maxTokens = new ConcurrentHashMap<>();

  TestBackend(String modelId, Function<BackendRequest, CompletionStage<Response>> behaviour) {
    this.modelId = modelId;
    this.behaviour = behaviour;
  }

  static TestBackend answering(String modelId, String text, double confidence, double cost, Double score) {
    return new TestBackend(modelId, r -> CompletableFuture.completedFuture(response(modelId, text, confidence, cost,
        score)));
  }

  static TestBackend delayed(String modelId, long millis, String text, double confidence) {
    return new TestBackend(modelId, r -> CompletableFuture.supplyAsync(() -> response(modelId, text, confidence,
        0.001, 1.0), CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS)));
  }

  static Response response(String modelId, String text, double confidence, double cost, Double score) {
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

  int completed(String attemptId) {
    AtomicInteger n = completions.get(attemptId);
    return n == null ? 0 : n.get();
  }

  int called(String attemptId) {
    AtomicInteger n = calls.get(attemptId);
    return n == null ? 0 : n.get();
  }
}
