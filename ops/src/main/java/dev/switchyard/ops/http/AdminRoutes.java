package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.shadow.ShadowTally;
import dev.switchyard.protocol.PolicySnapshot;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.RequestEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;

/**
 * The admin routes of a pipeline's policy lifecycle (see docs/HTTP-API.md, "Admin: shadows and promotion"):
 * {@code PUT /admin/pipelines/{name}/shadow} (body: a policy artifact of {@code switchyard train}) installs it as
 * the pipeline's shadow on every node, {@code GET} shows it and its score, {@code DELETE} removes it, and
 * {@code POST /admin/pipelines/{name}/promote} makes it act; {@code GET /admin/pipelines/{name}/policy} shows a learned
 * pipeline's policy as this node acts on it and as its learner holds it. A pipeline name holds slashes ({@code team/routed}):
 * sent as they are or encoded ({@code team%2Frouted}), the last segment is the action.
 */
final class AdminRoutes extends AllDirectives {
  /** Reads a request body within the API's size limit and read timeout. */
  @FunctionalInterface
  interface BodyReader {
    CompletionStage<byte[]> read(RequestEntity entity, Materializer mat);
  }

  private final Engine engine;
  private final OpenAiJson json;
  private final BodyReader body;
  private final ErrorMapping errors;

  /** @param errors the API's error mapping; the admin routes answer failures with its admin codes */
  AdminRoutes(Engine engine, OpenAiJson json, BodyReader body, ErrorMapping errors) {
    this.engine = engine;
    this.json = json;
    this.body = body;
    this.errors = errors;
  }

  Route route() {
    return pathPrefix(PathMatchers.segment("admin").slash("pipelines"), () -> path(PathMatchers.remaining(), rest -> {
      int slash = rest.lastIndexOf('/');
      String action = slash < 0 ? "" : rest.substring(slash + 1);
      String name = slash < 0 ? "" : URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8);
      if (name.isEmpty() || !(action.equals("shadow") || action.equals("promote") || action.equals("policy"))) {
        return complete(errors.response(errors.noSuchAdminRoute()));
      }
      if (action.equals("promote")) {
        return post(() -> answer(engine.promoteShadow(name).thenApply(this::promotion)));
      }
      if (action.equals("policy")) {
        return get(() -> answer(engine.policyReport(name).thenApply(this::policy)));
      }
      return concat(
          put(() -> extractRequestEntity(entity -> extractMaterializer(mat -> answer(body.read(entity, mat)
              .thenCompose(bytes -> engine.installShadow(name, new String(bytes, StandardCharsets.UTF_8)))
              .thenApply(this::report))))),
          get(() -> answer(engine.shadow(name).thenApply(this::report))),
          delete(() -> answer(engine.removeShadow(name).thenApply(r -> {
            ObjectNode out = json.mapper().createObjectNode();
            out.put("pipeline", r.pipeline());
            out.set("removed", installed(r.shadow()));
            out.set("score", score(r.score()));
            return out;
          }))));
    }));
  }

  private Route answer(CompletionStage<ObjectNode> result) {
    return completeWithFuture(result.thenApply(node -> HttpResponse.create().withStatus(200)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.bytes(node))))
        .exceptionally(errors::adminResponse));
  }

  private ObjectNode report(ShadowRegistry.Report r) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", r.pipeline());
    out.set("shadow", installed(r.shadow()));
    out.set("score", score(r.score()));
    if (r.promoted() == null) {
      out.putNull("promoted");
    } else {
      ObjectNode p = out.putObject("promoted");
      p.put("fingerprint", r.promoted());
      p.put("promoted_at", Instant.ofEpochMilli(r.promotedAtMillis()).toString());
    }
    return out;
  }

  private ObjectNode policy(Engine.PolicyReport r) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", r.pipeline());
    ObjectNode node = out.putObject("node");
    node.put("version", r.nodeVersion());
    if (r.nodeCandidateVersion() == 0) {
      node.putNull("candidate_version");
    } else {
      node.put("candidate_version", r.nodeCandidateVersion());
    }
    ObjectNode learner = snapshot(out.putObject("learner"), r.learned().active());
    if (r.learned().candidate() == null) {
      learner.putNull("candidate");
    } else {
      snapshot(learner.putObject("candidate"), r.learned().candidate());
    }
    return out;
  }

  private static ObjectNode snapshot(ObjectNode out, PolicySnapshot s) {
    out.put("version", s.version());
    out.put("episodes", s.episodes());
    out.put("fingerprint", s.parametersFingerprint());
    out.put("created_at", Instant.ofEpochMilli(s.createdAtMillis()).toString());
    return out;
  }

  private ObjectNode promotion(Engine.Promotion p) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", p.pipeline());
    out.put("promoted", p.promoted());
    if (p.version() == null) {
      out.putNull("version");
    } else {
      out.put("version", p.version());
    }
    out.set("score", score(p.score()));
    return out;
  }

  private ObjectNode installed(ShadowRegistry.Installed i) {
    if (i == null) {
      return null;
    }
    ObjectNode out = json.mapper().createObjectNode();
    out.put("fingerprint", i.fingerprint());
    out.put("installed_at", Instant.ofEpochMilli(i.atMillis()).toString());
    return out;
  }

  private ObjectNode score(ShadowTally.Score s) {
    if (s == null) {
      return null;
    }
    ObjectNode out = json.mapper().createObjectNode();
    out.put("queries", s.queries());
    out.put("decisions", s.decisions());
    out.put("agreed_decisions", s.agreedDecisions());
    out.put("agreed_queries", s.agreedQueries());
    if (s.decisions() == 0) {
      out.putNull("agreement");
    } else {
      out.put("agreement", (double) s.agreedDecisions() / s.decisions());
    }
    ObjectNode rewarded = out.putObject("rewarded");
    for (var bucket : List.of(new Object[] {"agreed", s.rewardedAgreed(), s.meanRewardAgreed()},
        new Object[] {"disagreed", s.rewardedDisagreed(), s.meanRewardDisagreed()})) {
      ObjectNode b = rewarded.putObject((String) bucket[0]);
      b.put("queries", (Long) bucket[1]);
      if (bucket[2] == null) {
        b.putNull("acting_mean_reward");
      } else {
        b.put("acting_mean_reward", (Double) bucket[2]);
      }
    }
    return out;
  }
}
