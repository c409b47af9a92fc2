package dev.switchyard.simulator.cli;

import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.QueryProgress;
import dev.switchyard.actors.backend.BackendException;
import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.strategies.learn.OnlineLearner;
import dev.switchyard.strategies.plan.Attempt;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import dev.switchyard.strategies.plan.Planner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A test stand-in for the actor engine: drives each pipeline's planner over the setup's backends directly
 * (round-robin over replicas, one attempt id per round), and lets learned pipelines learn from the reference
 * score of the answer. It lets the commands be tested end to end before the engine slice lands.
 */
final class DirectEngine implements Engine, EngineLauncher.Running {
  private final EngineSetup setup;
  private final Map<String, OnlineLearner> learners = new HashMap<>();
  private final AtomicLong roundRobin = new AtomicLong();

  DirectEngine(EngineSetup setup) {
    this.setup = setup;
    setup.pipelines().stream().filter(PipelineDefinition::isLearned)
        .forEach(p -> learners.put(p.name(), p.learner().get()));
  }

  static EngineLauncher launcher() {
    return (setup, stateDir, config) -> new DirectEngine(setup);
  }

  @Override
  public Engine engine() {
    return this;
  }

  @Override
  public void close() {}

  @Override
  public List<PipelineDefinition> pipelines() {
    return setup.pipelines();
  }

  @Override
  public CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability) {
    PipelineDefinition def = setup.pipelines().stream().filter(p -> p.name().equals(pipeline)).findFirst()
        .orElse(null);
    if (def == null) {
      return CompletableFuture.failedFuture(new EngineRejection(EngineRejection.Reason.UNKNOWN_PIPELINE,
          "no pipeline " + pipeline, null));
    }
    OnlineLearner learner = learners.get(pipeline);
    Planner planner;
    synchronized (this) {
      planner = learner != null ? learner.planner() : def.fixedPlanner();
    }
    List<EpisodeStep> steps = java.util.Collections.synchronizedList(new ArrayList<>());
    return step(planner, PlanState.start(query, setup.models()), steps, new ArrayList<>()).thenApply(action -> {
      Response answer = null;
      PlanState end = action.state;
      if (action.action instanceof PlanAction.Answer a) {
        answer = end.responses().stream().filter(r -> r.modelId().equals(a.modelId())).reduce((x, y) -> y)
            .orElse(null);
      }
      double cost = end.spentUsd();
      double latency = end.responses().stream().mapToDouble(Response::latencyMs).sum();
      List<String> called = end.attempts().stream().map(Attempt::modelId).toList();
      Episode episode = new Episode(query.id(), pipeline, query.task(), query.text(), steps,
          answer == null ? null : answer.modelId(), answer == null ? null : answer.text(), cost, latency,
          answer == null ? null : answer.referenceScore(), 0, 0, 0);
      if (learner != null) {
        synchronized (this) {
          learner.learn(episode);
        }
      }
      return new QueryResult(query.id(), pipeline, answer == null ? null : answer.text(),
          answer == null ? null : answer.modelId(), called, called.size(), cost, latency, 0, 0,
          answer == null ? "abstained" : null, episode);
    });
  }

  private record Step(PlanAction action, PlanState state) {}

  private CompletionStage<Step> step(Planner planner, PlanState state, List<EpisodeStep> steps,
      List<String> unused) {
    PlanAction action = planner.next(state);
    action.trace().forEach(d -> steps.add(d.toStep(state.round())));
    if (!(action instanceof PlanAction.Route route) || state.round() > 2 * setup.models().size() + 4) {
      return CompletableFuture.completedFuture(new Step(action, state));
    }
    List<InferenceBackend> replicas = setup.backends().get(route.modelId());
    InferenceBackend backend = replicas.get((int) (roundRobin.getAndIncrement() % replicas.size()));
    BackendRequest request = new BackendRequest(state.query().id() + "/" + state.round(), route.modelId(),
        state.query().messages(), state.query().text(), 0);
    return backend.complete(request).handle((response, error) -> {
      if (error == null) {
        steps.add(EpisodeStep.generated(state.round() + 1, response));
        return state.with(Attempt.answered(response));
      }
      Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      String kind = e instanceof BackendException b ? b.kind().name() : e.toString();
      return state.with(Attempt.failed(route.modelId(), "error: " + kind));
    }).thenCompose(next -> step(planner, next, steps, unused));
  }

  @Override
  public Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability) {
    throw new UnsupportedOperationException("not needed by the commands");
  }

  @Override
  public CompletionStage<Done> feedback(Feedback feedback) {
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public Map<String, PoolLoad> load() {
    return Map.of();
  }
}
