package dev.switchyard.benchmarks;

import dev.switchyard.actors.backend.BackendRequest;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Episode;
import dev.switchyard.protocol.ModelCard;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import dev.switchyard.protocol.Response;
import dev.switchyard.protocol.Stage;
import dev.switchyard.strategies.data.ModelCatalog;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.Decision;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.Planner;
import dev.switchyard.strategies.replay.OfflineReplay;
import java.util.Comparator;
import java.util.List;

/**
 * The objects one query produces on its way through the engine, built from a recorded test query so that
 * texts, token counts and episode length are real: a two-call cascade (the cheapest model, then, after a
 * verify decision, the most accurate one, whose answer is returned). What crosses nodes and what the HTTP API
 * renders are these objects.
 */
public record OneQueryPath(Query query, BackendRequest request, Response answer, QueryResult result,
    Episode episode) {
  public static final String PIPELINE = "switchyard/cascade";

  public static OneQueryPath fromRecorded(RecordedDataset data) {
    RecordedDataset train = data.split("train");
    List<ModelCard> cards = ModelCatalog.fromRecorded(train);
    String cheap = cards.stream().min(Comparator.comparingDouble(c -> train.meanCost(c.id()))).orElseThrow().id();
    String best = train.bestSingleModel();
    // a query of median prompt length: neither the shortest nor an outlier sets the message size
    List<RecordedQuery> byLength = data.split("test").queries().stream()
        .sorted(Comparator.comparingInt(q -> q.prompt().length())).toList();
    RecordedQuery recorded = byLength.get(byLength.size() / 2);
    Planner cascade = state -> switch (state.round()) {
      case 0 -> PlanAction.Route.to(cheap, List.of(Decision.of(Stage.PRE_ROUTE, cheap, "cheapest first", 0.42)));
      case 1 -> PlanAction.Route.to(best, List.of(Decision.of(Stage.VERIFY, cheap, "escalate: low confidence", 0.31)));
      default -> {
        Response last = state.lastResponse().orElseThrow();
        yield new PlanAction.Answer(last.text(), last.modelId(), List.of(Decision.of(Stage.VERIFY, best, "accept", 0.93)));
      }
    };
    OfflineReplay.Outcome outcome = OfflineReplay.run(cascade, recorded, cards, Budget.unlimited(), PIPELINE, 0);
    Episode episode = outcome.episode();
    Query query = new Query(recorded.id(), List.of(ChatMessage.user(recorded.prompt())), recorded.task(),
        new Budget(0.05, 3, 30_000));
    BackendRequest request = new BackendRequest(recorded.id() + "/2", best, query.messages(), query.text(), 512);
    Response answer = episode.calls().get(episode.calls().size() - 1);
    int in = episode.calls().stream().mapToInt(Response::inputTokens).sum();
    int out = episode.calls().stream().mapToInt(Response::outputTokens).sum();
    QueryResult result = new QueryResult(recorded.id(), PIPELINE, episode.answer(), episode.answerModel(),
        outcome.calls(), outcome.calls().size(), outcome.costUsd(), outcome.latencyMs(), in, out, null, episode);
    return new OneQueryPath(query, request, answer, result, episode);
  }
}
