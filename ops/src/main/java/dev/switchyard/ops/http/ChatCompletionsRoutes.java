package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.QueryProgress;
import dev.switchyard.actors.metrics.EngineMetrics;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code POST /v1/chat/completions}, OpenAI-compatible: a {@code chat.completion} with the {@code x-switchyard-*}
 * headers, or with {@code "stream": true} a {@code text/event-stream} of {@code chat.completion.chunk} events
 * ending with {@code data: [DONE]}. A refusal before the first progress event is still an HTTP status; a failure
 * after it is an error event in the stream; a stream open when the shutdown drain runs out ends with a
 * {@code shutting_down} error event and {@code [DONE]}.
 */
final class ChatCompletionsRoutes extends AllDirectives {
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");

  private final Engine engine;
  private final HttpSettings settings;
  private final Clock clock;
  private final Supplier<String> ids;
  private final ObjectMapper requestMapper;
  private final OpenAiJson json;
  private final HttpReplies replies;
  private final ErrorMapping errors;
  private final RouteSupport support;
  private final Authentication auth;

  ChatCompletionsRoutes(Engine engine, HttpSettings settings, Clock clock, Supplier<String> ids,
      ObjectMapper requestMapper, HttpReplies replies, ErrorMapping errors, RouteSupport support,
      Authentication auth) {
    this.engine = engine;
    this.settings = settings;
    this.clock = clock;
    this.ids = ids;
    this.requestMapper = requestMapper;
    this.json = replies.json();
    this.replies = replies;
    this.errors = errors;
    this.support = support;
    this.auth = auth;
  }

  Route route() {
    return path(PathMatchers.segment("v1").slash("chat").slash("completions"), () ->
        post(() -> support.traced("chat_completions", (meter, span) -> auth.caller(caller ->
            extractRequestEntity(entity -> extractMaterializer(mat -> completeWithFuture(support.untilDrained(
                chatCompletion(entity, mat, meter, span, caller)))))))));
  }

  private CompletionStage<HttpResponse> chatCompletion(RequestEntity entity, Materializer mat,
      HttpMetrics.Request meter, RequestSpan span, Authentication.Caller caller) {
    CompletionStage<HttpResponse> response = support.readBody(entity, mat)
        .thenCompose(body -> {
          ChatCompletionRequest req = ChatCompletionRequest.parse(body, requestMapper, settings);
          caller.requireAllowed(req.model()); // first: a 404 would list pipelines outside the allow-list
          support.requireKnownPipeline(req.model());
          meter.pipeline(req.model());
          String id = "chatcmpl-" + ids.get();
          Query query = new Query(id, req.messages(), req.task(), req.budget(), req.maxTokens(), req.params())
              .withTenant(caller.tenant());
          long created = clock.instant().getEpochSecond();
          span.chat(req.model(), id, req.maxTokens(), req.stream());
          return req.stream() ? streamed(req, query, id, created, mat, meter, span)
              : answered(req, query, id, created, span);
        });
    return response.exceptionally(errors::response);
  }

  private CompletionStage<HttpResponse> answered(ChatCompletionRequest req, Query query, String id, long created,
      RequestSpan span) {
    return support.withinAnswerTimeout(engine.answer(query, req.model(), req.durability(), span.traceparent()))
        .thenApply(result -> {
          span.result(result);
          return replies.json(200, json.completion(id, created, req.model(), result), resultHeaders(result));
        });
  }

  private static List<HttpHeader> resultHeaders(QueryResult result) {
    return List.of(
        RawHeader.create("x-switchyard-model", result.answerModel() == null ? "none" : result.answerModel()),
        RawHeader.create("x-switchyard-rounds", Integer.toString(result.rounds())),
        RawHeader.create("x-switchyard-cost-usd", plain(result.costUsd())));
  }

  /**
   * Waits for the first progress event before answering, so that a refusal at the start (overloaded,
   * unavailable) is still an HTTP status; later failures become an error event in the stream.
   */
  private CompletionStage<HttpResponse> streamed(ChatCompletionRequest req, Query query, String id, long created,
      Materializer mat, HttpMetrics.Request meter, RequestSpan span) {
    Source<QueryProgress, NotUsed> progress = engine.answerStreaming(query, req.model(), req.durability(),
            span.traceparent())
        .completionTimeout(settings.streamTimeout());
    var head = progress.prefixAndTail(1).runWith(Sink.head(), mat);
    return support.withinAnswerTimeout(head).thenApply(pair -> {
      Source<QueryProgress, NotUsed> all = Source.from(pair.first()).concat(pair.second());
      return HttpReplies.eventStream(sseFrames(req, id, created, all, meter, span));
    });
  }

  private Source<ByteString, NotUsed> sseFrames(ChatCompletionRequest req, String id, long created,
      Source<QueryProgress, NotUsed> progress, HttpMetrics.Request meter, RequestSpan span) {
    boolean showProgress = req.progress() != null ? req.progress() : settings.streamProgress();
    AtomicBoolean finished = new AtomicBoolean();
    StreamedAnswer streamed = new StreamedAnswer();
    ByteString first = frame(json.chunk(id, created, req.model(), json.delta("assistant", ""), null));
    // The empty Optional marks the end of the engine's stream: if no result came before it, say so.
    Source<ByteString, NotUsed> body = progress.map(Optional::of)
        .concat(Source.single(Optional.<QueryProgress>empty()))
        .mapConcat(p -> {
          if (p.isEmpty()) {
            return finished.get() ? List.<ByteString>of() : List.of(frame(json.error(new ApiError(500,
                "server_error", "the pipeline ended without a result", null, "incomplete", null))));
          }
          if (p.get() instanceof QueryProgress.StepRecorded s) {
            if (!showProgress) {
              return List.<ByteString>of();
            }
            ObjectNode chunk = json.chunk(id, created, req.model(), json.delta(null, null), null);
            chunk.putObject("switchyard").set("step", json.step(s.step()));
            return List.of(frame(chunk));
          }
          if (p.get() instanceof QueryProgress.TokensArrived t) {
            if (!streamed.take(t)) {
              return List.<ByteString>of();
            }
            if (streamed.text.length() == t.text().length()) {
              meter.firstToken(t.modelId());
            }
            return List.of(frame(json.chunk(id, created, req.model(), json.delta(null, t.text()), null)));
          }
          finished.set(true);
          QueryResult result = ((QueryProgress.Finished) p.get()).result();
          span.result(result);
          if (streamed.attemptNo < 0) {
            // the answer arrives whole with the result: its first frame is the stream's first token
            meter.firstToken(result.answerModel() == null ? EngineMetrics.NONE : result.answerModel());
          }
          return finalFrames(req, id, created, result, streamed.text.toString());
        })
        .recover(new PFBuilder<Throwable, ByteString>()
            .matchAny(e -> frame(json.error(errors.toApiError(e))))
            .build());
    return support.endWhenDraining(Source.single(first).concat(body)
        .keepAlive(settings.streamKeepAlive(), () -> HttpReplies.KEEP_ALIVE),
        List.of(frame(json.error(errors.shuttingDown())), DONE));
  }

  /**
   * The pieces of one model's answer that went out as it generated them: the first call that streams is the
   * answer's (its pipeline takes that answer as it comes), so pieces of any other call are not shown.
   */
  private static final class StreamedAnswer {
    int attemptNo = -1;
    final StringBuilder text = new StringBuilder();

    boolean take(QueryProgress.TokensArrived piece) {
      if (attemptNo >= 0 && attemptNo != piece.attemptNo()) {
        return false;
      }
      attemptNo = piece.attemptNo();
      text.append(piece.text());
      return true;
    }
  }

  /**
   * The frames after the last step: what is left of the answer after the pieces {@code streamed} already (all of
   * it when nothing streamed), the tool calls, the finish reason with the summary, usage. An answer whose stream
   * broke off after it began ends with an error event instead: the client has part of an answer that will not
   * be completed, and no other model answers in its place.
   */
  private List<ByteString> finalFrames(ChatCompletionRequest req, String id, long created, QueryResult result,
      String streamed) {
    List<ByteString> frames = new ArrayList<>();
    if (result.abstained() && !streamed.isEmpty()) {
      frames.add(frame(json.error(new ApiError(502, "server_error", result.abstainReason(), null,
          "upstream_failed", null))));
      frames.add(DONE);
      return frames;
    }
    if (result.abstained()) {
      ObjectNode delta = json.mapper().createObjectNode();
      delta.put("refusal", json.summary(result).get("abstain_reason").asText());
      frames.add(frame(json.chunk(id, created, req.model(), delta, null)));
    } else {
      // the pieces are a prefix of the answer; pieces the stream missed (they may arrive after the result) follow
      String answer = result.answer().startsWith(streamed) ? result.answer().substring(streamed.length())
          : result.answer();
      int step = settings.streamChunkChars();
      for (int i = 0; i < answer.length(); ) {
        int end = Math.min(answer.length(), i + step);
        if (end < answer.length() && Character.isHighSurrogate(answer.charAt(end - 1))) {
          end++; // never split a surrogate pair across two events
        }
        frames.add(frame(json.chunk(id, created, req.model(), json.delta(null, answer.substring(i, end)), null)));
        i = end;
      }
      json.toolCallsDelta(result).ifPresent(delta -> frames.add(frame(json.chunk(id, created, req.model(), delta,
          null))));
    }
    ObjectNode last = json.chunk(id, created, req.model(), json.delta(null, null), json.finishReason(result));
    last.set("switchyard", json.summary(result));
    frames.add(frame(last));
    if (req.includeUsage()) {
      frames.add(frame(json.usageChunk(id, created, req.model(), result)));
    }
    frames.add(DONE);
    return frames;
  }

  private ByteString frame(ObjectNode node) {
    return ByteString.fromString("data: ").concat(ByteString.fromArray(json.bytes(node)))
        .concat(ByteString.fromString("\n\n"));
  }


  private static String plain(double usd) {
    return Double.isFinite(usd) ? BigDecimal.valueOf(usd).stripTrailingZeros().toPlainString() : "0";
  }
}
