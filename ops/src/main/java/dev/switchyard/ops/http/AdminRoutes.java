package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
  private final AdminJson rendered;

  /** @param errors the API's error mapping; the admin routes answer failures with its admin codes */
  AdminRoutes(Engine engine, OpenAiJson json, BodyReader body, ErrorMapping errors) {
    this.engine = engine;
    this.json = json;
    this.body = body;
    this.errors = errors;
    this.rendered = new AdminJson(json);
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
        return post(() -> answer(engine.promoteShadow(name).thenApply(rendered::promotion)));
      }
      if (action.equals("policy")) {
        return get(() -> answer(engine.policyReport(name).thenApply(rendered::policy)));
      }
      return concat(
          put(() -> extractRequestEntity(entity -> extractMaterializer(mat -> answer(body.read(entity, mat)
              .thenCompose(bytes -> engine.installShadow(name, new String(bytes, StandardCharsets.UTF_8)))
              .thenApply(rendered::report))))),
          get(() -> answer(engine.shadow(name).thenApply(rendered::report))),
          delete(() -> answer(engine.removeShadow(name).thenApply(r -> {
            ObjectNode out = json.mapper().createObjectNode();
            out.put("pipeline", r.pipeline());
            out.set("removed", rendered.installed(r.shadow()));
            out.set("score", rendered.score(r.score()));
            return out;
          }))));
    }));
  }

  private Route answer(CompletionStage<ObjectNode> result) {
    return completeWithFuture(result.thenApply(node -> HttpResponse.create().withStatus(200)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.bytes(node))))
        .exceptionally(errors::adminResponse));
  }
}
