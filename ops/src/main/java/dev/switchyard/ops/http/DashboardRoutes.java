package dev.switchyard.ops.http;

import dev.switchyard.actors.Engine;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The operators' dashboard: {@code GET /dashboard} is a page (plain HTML, CSS and JavaScript from the jar's
 * {@code dashboard/} resources, nothing from elsewhere: its Content-Security-Policy allows this origin only) that
 * fetches {@code GET /admin/dashboard}, the node's {@link DashboardSnapshot}, every
 * {@code switchyard.http.dashboard-refresh}. The page sends {@code Authorization: Bearer} with the admin key its
 * user entered, so it keeps working once admin routes require one.
 */
final class DashboardRoutes extends AllDirectives {
  /** The page's own origin only: a dashboard that loaded a script from a CDN would not run. */
  private static final List<HttpHeader> PAGE_HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self';"
          + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Cache-Control", "no-cache"));
  private static final String ASSETS = "dashboard";

  private final DashboardSnapshot snapshot;
  private final OpenAiJson json;
  private final ErrorMapping errors;

  DashboardRoutes(Engine engine, HttpMetrics metrics, HttpSettings settings, Clock clock, OpenAiJson json,
      ErrorMapping errors) {
    this.snapshot = new DashboardSnapshot(engine, metrics, new AdminJson(json), json.mapper(), clock, settings);
    this.json = json;
    this.errors = errors;
  }

  /** {@code GET /dashboard} and its assets: open, since they hold no data (the page asks the admin route). */
  Route page() {
    return pathPrefix(ASSETS, () -> get(() -> respondWithHeaders(PAGE_HEADERS, () -> concat(
        pathEndOrSingleSlash(() -> getFromResource(ASSETS + "/index.html", ContentTypes.TEXT_HTML_UTF8)),
        getFromResourceDirectory(ASSETS)))));
  }

  /** {@code GET /admin/dashboard}: the node's snapshot, an admin route. */
  Route snapshot() {
    return path(PathMatchers.segment("admin").slash("dashboard"), () -> get(() -> extractActorSystem(system -> {
          Cluster cluster = Cluster.get(system);
          return completeWithFuture(snapshot.take(cluster.selfMember(), cluster.state())
              .thenApply(node -> HttpResponse.create().withStatus(200)
                  .addHeader(RawHeader.create("Cache-Control", "no-store"))
                  .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
                      json.bytes(node))))
              .exceptionally(errors::adminResponse));
        })));
  }
}
