package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /dashboard} in a real browser: a one-node engine over the tiny simulated fleet behind the real HTTP API
 * takes traffic, then Debian's headless Chromium opens the page, which renders the node's live figures (the
 * requests each pipeline was sent, the pools, this node Up, the episodes with their steps, no tenants yet), follows
 * more traffic on its next refresh, loads nothing from any other origin and reports no console error. A screenshot
 * goes to {@code target/dashboard.png} (and to {@code -Dswitchyard.dashboard.screenshot=PATH} when given: how
 * docs/dashboard.png is made). Skipped, saying so, where {@code /usr/bin/chromium} is absent.
 */
class DashboardBrowserIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CASCADE = "switchyard/cascade";
  private static final String BANDIT = "switchyard/bandit";
  private static final Duration RENDERED = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void rendersTheNodesLiveFiguresWithNoConsoleError() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "skipped: " + HeadlessChromium.BINARY + " is absent (Debian package"
        + " chromium; .ci/run installs it)");
    // a refresh well inside the test's waits, so the page's next snapshot is seen
    try (TinyServer server = TinyServer.start(dir, 0.0, Map.of("switchyard.http.dashboard-refresh", "1s"))) {
      for (int i = 0; i < 3; i++) {
        chat(server, CASCADE, TinyDataset.QUESTIONS.get(i), 200);
      }
      for (int i = 3; i < 5; i++) {
        chat(server, BANDIT, TinyDataset.QUESTIONS.get(i), 200);
      }
      chat(server, "no-such-pipeline", TinyDataset.QUESTIONS.get(0), 404);

      try (HeadlessChromium browser = HeadlessChromium.start(dir, 1400, 1000)) {
        browser.open(server.base + "/dashboard");
        browser.awaitTrue("Number(document.body.dataset.snapshots || 0) >= 1", RENDERED);

        assertEquals("3", text(browser, "#pipelines tr[data-pipeline='" + CASCADE + "'] td.requests"));
        assertEquals("3", text(browser, "#pipelines tr[data-pipeline='" + CASCADE + "'] td.queries"));
        assertEquals("2", text(browser, "#pipelines tr[data-pipeline='" + BANDIT + "'] td.requests"));
        assertTrue(text(browser, "#pipelines tr[data-pipeline='" + CASCADE + "'] td.cost").startsWith("$0.0"),
            "the cascade's queries cost something");
        for (String model : List.of("small", "big")) {
          assertEquals("closed", text(browser, "#pools tr[data-pool='" + model + "'] td.circuit"),
              "pool " + model + " is listed with its circuit");
        }
        assertEquals("Up", text(browser, "#members tr td.status"), "this node is an Up member");
        assertEquals("no tenants configured", text(browser, "#tenants td.empty"));
        assertEquals(5, browser.evaluate("document.querySelectorAll('#episodes details.episode').length").asInt(),
            "the five answered queries are the recent episodes");
        assertTrue(browser.evaluate("document.querySelector('#episodes details.episode tbody').rows.length")
            .asInt() > 0, "an episode shows its steps");
        assertTrue(text(browser, "#learners tr[data-learner='" + BANDIT + "'] td.acting-version").startsWith("v"),
            "the bandit's learner shows its policy version");
        assertTrue(browser.evaluate("document.getElementById('problem').hidden").asBoolean(),
            "no problem is shown: " + text(browser, "#problem"));

        // live: the next refresh shows a request sent after the page was opened
        chat(server, CASCADE, TinyDataset.QUESTIONS.get(3), 200);
        browser.awaitTrue("(document.querySelector(\"#pipelines tr[data-pipeline='" + CASCADE + "'] td.requests\")"
            + " || {}).textContent === '4'", RENDERED);

        browser.evaluate("document.querySelector('#episodes details.episode').open = true");
        Path shot = Path.of("target", "dashboard.png");
        browser.screenshot(shot);
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the rendered page");
        String copy = System.getProperty("switchyard.dashboard.screenshot");
        if (copy != null && !copy.isBlank()) {
          Files.copy(shot, Path.of(copy), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }

        List<String> elsewhere = browser.requested().stream().filter(url -> !url.startsWith(server.base)).toList();
        assertEquals(List.of(), elsewhere, "the page loads everything from the engine");
        List<HeadlessChromium.Message> errors = browser.messages().stream()
            .filter(HeadlessChromium.Message::isError).toList();
        assertEquals(List.of(), errors, "no console error, exception or failed load");
      }
    }
  }

  /**
   * The page under an admin API that wants a key (a gate in front of the real API stands for the admin keys to
   * come: 401 without a key, 403 with another): it says a key is needed, then that the one entered is refused,
   * then, with the right one (kept in sessionStorage and sent as {@code Authorization: Bearer}), renders the
   * snapshot. The refused fetches are the only errors the browser reports.
   */
  @Test
  void asksForTheAdminKeyAndSendsTheOneEntered() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "skipped: " + HeadlessChromium.BINARY + " is absent (Debian package"
        + " chromium; .ci/run installs it)");
    try (TinyServer server = TinyServer.start(dir, 0.0, Map.of("switchyard.http.dashboard-refresh", "1s"))) {
      chat(server, CASCADE, TinyDataset.QUESTIONS.get(0), 200);
      String gated = server.serveAlsoBehind(new AdminKeyGate()::around);
      try (HeadlessChromium browser = HeadlessChromium.start(dir, 1400, 1000)) {
        browser.open(gated + "/dashboard");
        browser.awaitTrue("document.getElementById('status').textContent === 'admin key needed'", RENDERED);
        assertTrue(text(browser, "#problem").contains("needs an admin key (401)"), text(browser, "#problem"));

        enterKey(browser, "not-the-key");
        browser.awaitTrue("document.getElementById('status').textContent === 'admin key refused'", RENDERED);
        assertTrue(text(browser, "#problem").contains("(403)"), text(browser, "#problem"));

        enterKey(browser, AdminKeyGate.KEY);
        browser.awaitTrue("Number(document.body.dataset.snapshots || 0) >= 1", RENDERED);
        assertEquals("1", text(browser, "#pipelines tr[data-pipeline='" + CASCADE + "'] td.requests"));
        assertTrue(browser.evaluate("document.getElementById('problem').hidden").asBoolean());
        assertEquals(AdminKeyGate.KEY, browser.evaluate("sessionStorage.getItem('switchyard.admin-key')").asText());
        assertEquals("", browser.evaluate("document.getElementById('admin-key').value").asText(),
            "the key does not stay in the field");

        List<HeadlessChromium.Message> unexpected = browser.messages().stream()
            .filter(HeadlessChromium.Message::isError)
            .filter(m -> !(m.source().equals("network") && (m.text().contains("401") || m.text().contains("403"))))
            .toList();
        assertEquals(List.of(), unexpected, "no error but the refused fetches");
      }
    }
  }

  private static void enterKey(HeadlessChromium browser, String key) throws Exception {
    browser.evaluate("document.getElementById('admin-key').value = " + JSON.writeValueAsString(key)
        + "; document.getElementById('key-form').requestSubmit(); true");
  }

  /** Admin routes answer only to {@code Authorization: Bearer KEY}: 401 without a key, 403 with another. */
  private static final class AdminKeyGate extends AllDirectives {
    static final String KEY = "sy-admin-test-key";

    Route around(Route api) {
      return extractRequest(request -> {
        if (!request.getUri().path().startsWith("/admin/")) {
          return api;
        }
        Optional<String> auth = request.getHeader("Authorization").map(HttpHeader::value);
        if (auth.isEmpty()) {
          return refuse(401, "an admin key is required");
        }
        return auth.get().equals("Bearer " + KEY) ? api : refuse(403, "this key is not an admin key");
      });
    }

    private Route refuse(int status, String message) {
      return complete(org.apache.pekko.http.javadsl.model.HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"error\":{\"message\":\"" + message
              + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"unauthorized\"}}")));
    }
  }

  /** The trimmed text of the first element {@code selector} finds, or a note that none is there. */
  private static String text(HeadlessChromium browser, String selector) throws Exception {
    JsonNode value = browser.evaluate("(() => { const n = document.querySelector(" + JSON.writeValueAsString(selector)
        + "); return n ? n.textContent.trim() : null; })()");
    return value.isNull() || value.isMissingNode() ? "<nothing at " + selector + ">" : value.asText();
  }

  private static void chat(TinyServer server, String pipeline, String question, int status) throws Exception {
    String body = JSON.writeValueAsString(Map.of("model", pipeline,
        "messages", List.of(Map.of("role", "user", "content", question))));
    HttpResponse<String> r = server.send(HttpRequest.newBuilder(URI.create(server.base + "/v1/chat/completions"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
    assertEquals(status, r.statusCode(), r.body());
  }
}
