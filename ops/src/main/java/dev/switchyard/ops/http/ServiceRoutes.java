package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.journal.JournalStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What operators and clients ask about the node rather than of its pipelines: {@code GET /v1/models},
 * {@code GET /health}, {@code GET /ready}, {@code GET /metrics} (Prometheus text format, see {@link HttpMetrics}).
 */
final class ServiceRoutes extends AllDirectives {
  /** The Prometheus text exposition format, version 0.0.4 (what every Prometheus server scrapes). */
  private static final ContentType PROMETHEUS_TEXT = ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8");

  private final Engine engine;
  private final BooleanSupplier ready;
  private final HttpMetrics metrics;
  private final HttpReplies replies;
  private final ErrorMapping errors;
  private final RouteSupport support;
  private final long startedAtSeconds;

  ServiceRoutes(Engine engine, BooleanSupplier ready, HttpMetrics metrics, long startedAtSeconds,
      HttpReplies replies, ErrorMapping errors, RouteSupport support) {
    this.engine = engine;
    this.ready = ready;
    this.metrics = metrics;
    this.startedAtSeconds = startedAtSeconds;
    this.replies = replies;
    this.errors = errors;
    this.support = support;
  }

  /** {@code GET /v1/models}: the pipelines (and models) the caller's tenant may name. */
  Route models(Authentication auth) {
    return path(PathMatchers.segment("v1").slash("models"), () ->
        get(() -> support.metered("models", meter -> auth.caller(caller -> complete(replies.json(200,
            replies.json().models(engine.pipelines().stream().filter(p -> caller.allows(p.name())).toList(),
                startedAtSeconds), List.of()))))));
  }

  /** {@code /health}, {@code /ready}, {@code /metrics}: open without a key, for probes and scrapers. */
  Route open() {
    return concat(
        path("health", () -> get(() -> complete(replies.json(200, replies.status("ok"), List.of())))),
        path("ready", () -> get(() -> extractActorSystem(system -> complete(readiness(system))))),
        path("metrics", () -> get(() -> extractActorSystem(system -> completeWithFuture(scrape(system))))));
  }

  /**
   * 200 while serving; 503 while starting or draining, while this node is not an Up member of its cluster (not
   * yet joined, or leaving), or while the journal cannot write (then {@code journal} says why and since when:
   * durable work is refused meanwhile, ephemeral chat still answers). {@code node} gives this node's cluster
   * address and member status and how many members the cluster has and how many of them are Up, as this node
   * sees it ({@code switchyard cluster status} reads it).
   */
  private HttpResponse readiness(ActorSystem system) {
    JournalStatus journal = engine.journal();
    Cluster cluster = Cluster.get(system);
    CurrentClusterState state = cluster.state();
    MemberStatus self = cluster.selfMember().status();
    boolean up = ready.getAsBoolean() && !engine.pipelines().isEmpty() && journal.writable()
        && self == MemberStatus.up();
    ObjectNode body = replies.status(up ? "ready" : "not_ready");
    ObjectNode node = body.putObject("node");
    node.put("address", cluster.selfAddress().toString());
    node.put("status", self.toString());
    int members = 0;
    int upMembers = 0;
    for (Member m : state.getMembers()) {
      members++;
      if (m.status() == MemberStatus.up()) {
        upMembers++;
      }
    }
    node.put("members", members);
    node.put("members_up", upMembers);
    node.put("unreachable", state.getUnreachable().size());
    ObjectNode j = body.putObject("journal");
    j.put("status", journal.writable() ? "writable" : "unavailable");
    if (!journal.writable()) {
      j.put("code", "journal_unavailable");
      j.put("message", "the journal cannot write: " + ApiError.excerptLong(journal.reason()));
      j.put("since", journal.since().toString());
    }
    List<HttpHeader> headers = journal.writable() ? List.of()
        : List.of(HttpReplies.retryAfter(ErrorMapping.DEFAULT_RETRY_AFTER));
    return replies.json(up ? 200 : 503, body, headers);
  }

  /**
   * {@code GET /metrics}: every meter of the node in the Prometheus text format. Rendered on the blocking
   * dispatcher: a scrape reads meters (never asks an actor), but its CPU time should not delay the API's own.
   */
  private CompletionStage<HttpResponse> scrape(ActorSystem system) {
    Executor blocking = system.dispatchers().lookup("pekko.actor.default-blocking-io-dispatcher");
    return CompletableFuture.supplyAsync(() -> metrics.scrape()
        .map(text -> HttpResponse.create().withStatus(200).withEntity(HttpEntities.create(PROMETHEUS_TEXT,
            text.getBytes(StandardCharsets.UTF_8))))
        .orElseGet(() -> errors.response(new ApiError(404, "invalid_request_error", "metrics are disabled on this "
            + "node (switchyard.metrics.enabled = off)", null, "metrics_disabled", null))), blocking);
  }
}
