package dev.switchyard.ops.http;

import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.QueryProgress;
import dev.switchyard.protocol.Durability;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.EpisodeStep;
import dev.switchyard.protocol.Feedback;
import dev.switchyard.protocol.PoolLoad;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.Dimensions;
import dev.switchyard.strategies.StrategyInfo;
import dev.switchyard.strategies.plan.PlanAction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * An {@link Engine} for HTTP-layer tests: each pipeline name selects a scripted behaviour, and every query
 * that reaches it is recorded so tests can check what the routes passed on (or that nothing was passed).
 */
public final class FakeEngine implements Engine {
  public static final String ANSWER = "The capital of France is Paris — naïve ünïcødé 🚄 included.";

  public final List<Query> received = new CopyOnWriteArrayList<>();
  public final List<Feedback> feedback = new CopyOnWriteArrayList<>();
  public final List<Durability> durabilities = new CopyOnWriteArrayList<>();

  @Override
  public List<PipelineDefinition> pipelines() {
    StrategyInfo cascade = new StrategyInfo("confidence-cascade", "Chen et al., FrugalGPT, arXiv 2305.05176",
        Dimensions.of(Dimensions.When.POST_GENERATION, Dimensions.How.SUPERVISED, Dimensions.Signal.RESPONSE,
            Dimensions.Signal.MODEL_METADATA), "");
    return List.of(
        PipelineDefinition.fixed("switchyard/cascade", "cheap model first, escalate when unsure", cascade,
            s -> new PlanAction.Abstain("unused", List.of())),
        PipelineDefinition.fixed("test/abstain", "always abstains", cascade, s -> null),
        PipelineDefinition.fixed("test/overloaded", "rejects: overloaded", cascade, s -> null),
        PipelineDefinition.fixed("test/unavailable", "rejects: unavailable", cascade, s -> null),
        PipelineDefinition.fixed("test/engine-timeout", "rejects: timeout", cascade, s -> null),
        PipelineDefinition.fixed("test/hang", "never answers", cascade, s -> null),
        PipelineDefinition.fixed("test/crash", "fails unexpectedly", cascade, s -> null),
        PipelineDefinition.fixed("test/mid-stream-failure", "fails after one step", cascade, s -> null),
        PipelineDefinition.fixed("test/slow-stream", "pauses 1.5 s between a step and the result", cascade,
            s -> null),
        PipelineDefinition.fixed("test/live-tokens", "streams a model's pieces, then the result", cascade, s -> null),
        PipelineDefinition.fixed("test/broken-tokens", "a piece, then the stream breaks", cascade, s -> null));
  }

  static QueryResult result(Query q, String pipeline) {
    Response cheap = new Response("small-1b", "Lyon", 10, 2, 40, 0.00001, 0.1, -2.3, 0.0, null);
    Response strong = new Response("big-70b", ANSWER, 12, 3, 250, 0.0009, 2.0, -0.1, 1.0,
        "replayed nearest recorded prompt mmlu-test-00042");
    List<EpisodeStep> steps = steps(cheap, strong);
    Episode episode = new Episode(q.id(), pipeline, null, q.text(), steps, "big-70b", ANSWER, 0.00091, 290, 1.0, 0,
        0, 290);
    return new QueryResult(q.id(), pipeline, ANSWER, "big-70b", List.of("small-1b", "big-70b"), 2, 0.00091, 290,
        12, 3, null, episode);
  }

  static List<EpisodeStep> steps(Response cheap, Response strong) {
    return List.of(
        EpisodeStep.decision(0, Stage.PRE_ROUTE, "small-1b", "route:small-1b", 0.31),
        EpisodeStep.generated(1, cheap),
        EpisodeStep.decision(1, Stage.VERIFY, "small-1b", "escalate:big-70b", 0.12),
        EpisodeStep.generated(2, strong),
        EpisodeStep.decision(2, Stage.ANSWER, "big-70b", "accept", Double.NaN));
  }

  @Override
  public CompletionStage<QueryResult> answer(Query query, String pipeline, Durability durability) {
    received.add(query);
    durabilities.add(durability);
    return switch (pipeline) {
      case "switchyard/cascade" -> CompletableFuture.completedFuture(result(query, pipeline));
      case "test/abstain" -> CompletableFuture.completedFuture(new QueryResult(query.id(), pipeline, null, null,
          List.of("small-1b"), 1, 0.00001, 40, 10, 2, "no model was confident enough", null));
      case "test/hang" -> new CompletableFuture<>();
      default -> CompletableFuture.failedFuture(failure(pipeline));
    };
  }

  private static RuntimeException failure(String pipeline) {
    return switch (pipeline) {
      case "test/overloaded" -> new EngineRejection(EngineRejection.Reason.OVERLOADED,
          "all pools for this pipeline are full", Duration.ofMillis(2500));
      case "test/unavailable" -> new EngineRejection(EngineRejection.Reason.UNAVAILABLE,
          "no model pool is reachable", Duration.ofSeconds(7));
      case "test/engine-timeout" -> new EngineRejection(EngineRejection.Reason.TIMEOUT, "deadline passed", null);
      default -> new IllegalStateException("boom: sk-secret-do-not-leak");
    };
  }

  @Override
  public Source<QueryProgress, NotUsed> answerStreaming(Query query, String pipeline, Durability durability) {
    received.add(query);
    durabilities.add(durability);
    switch (pipeline) {
      case "switchyard/cascade" -> {
        QueryResult r = result(query, pipeline);
        List<QueryProgress> events = new java.util.ArrayList<>();
        r.episode().steps().forEach(s -> events.add(new QueryProgress.StepRecorded(query.id(), s)));
        events.add(new QueryProgress.Finished(r));
        return Source.from(events);
      }
      case "test/abstain" -> {
        return Source.single(new QueryProgress.Finished(new QueryResult(query.id(), pipeline, null, null,
            List.of("small-1b"), 1, 0.00001, 40, 10, 2, "no model was confident enough", null)));
      }
      case "test/hang" -> {
        return Source.<QueryProgress>maybe().mapMaterializedValue(m -> NotUsed.getInstance());
      }
      case "test/slow-stream" -> {
        EpisodeStep step = EpisodeStep.decision(0, Stage.PRE_ROUTE, "big-70b", "route:big-70b", 0.9);
        return Source.<QueryProgress>single(new QueryProgress.StepRecorded(query.id(), step))
            .concat(Source.<QueryProgress>single(new QueryProgress.Finished(result(query, pipeline)))
                .initialDelay(Duration.ofMillis(1500)));
      }
      case "test/mid-stream-failure" -> {
        EpisodeStep step = EpisodeStep.decision(0, Stage.PRE_ROUTE, "small-1b", "route:small-1b", 0.5);
        // the failure comes a little later, as it would from a real pool, so the response has started
        return Source.<QueryProgress>single(new QueryProgress.StepRecorded(query.id(), step))
            .concat(Source.single(1).initialDelay(Duration.ofMillis(300)).map(i -> {
              throw new EngineRejection(EngineRejection.Reason.UNAVAILABLE, "pool lost", null);
            }));
      }
      case "test/live-tokens" -> {
        // the model's pieces as it generates them; the result holds the whole answer, whose end the stream missed
        QueryResult r = new QueryResult(query.id(), pipeline, "Paris is the capital", "small-1b", List.of("small-1b"),
            1, 0.00001, 40, 10, 4, null, null);
        return Source.from(List.of(new QueryProgress.TokensArrived(query.id(), 1, "small-1b", "Par"),
            new QueryProgress.TokensArrived(query.id(), 1, "small-1b", "is is"), new QueryProgress.Finished(r)));
      }
      case "test/broken-tokens" -> {
        QueryResult r = new QueryResult(query.id(), pipeline, null, null, List.of("small-1b"), 1, 0.00001, 40, 10, 1,
            "error: STREAM_BROKEN: the answer broke off after 1 streamed pieces", null);
        return Source.from(List.of(new QueryProgress.TokensArrived(query.id(), 1, "small-1b", "The"),
            new QueryProgress.Finished(r)));
      }
      default -> {
        return Source.failed(failure(pipeline));
      }
    }
  }

  @Override
  public CompletionStage<Done> feedback(Feedback given) {
    if (given.queryId().startsWith("unknown")) {
      return CompletableFuture.failedFuture(new EngineRejection(EngineRejection.Reason.INVALID,
          "no finished query with that id", null));
    }
    feedback.add(given);
    return CompletableFuture.completedFuture(Done.getInstance());
  }

  @Override
  public Map<String, PoolLoad> load() {
    return Map.of();
  }
}
