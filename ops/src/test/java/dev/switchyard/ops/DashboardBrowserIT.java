package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.ops.http.ApiKeys;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
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
   * The page of a node started with real API keys ({@code switchyard.auth.admin-keys} and a tenant's
   * {@code switchyard.auth.keys}, each configured by its SHA-256 as {@code keys create} prints it): the snapshot
   * route {@code GET /admin/dashboard} answers 401 without a key, 403 to the tenant's key and 200 to the admin key.
   * In the browser the page says a key is needed, that an unknown key was not accepted, that the tenant's key may
   * not use the admin API, then, with the admin key (kept in sessionStorage and sent as
   * {@code Authorization: Bearer}), renders the snapshot. The refused fetches are the only errors it reports.
   */
  @Test
  void asksForTheAdminKeyAndSendsTheOneEntered() throws Exception {
    assumeTrue(HeadlessChromium.installed(), "skipped: " + HeadlessChromium.BINARY + " is absent (Debian package"
        + " chromium; .ci/run installs it)");
    String adminKey = "sy-admin-dashboard-browser-it-0123456789";
    String tenantKey = "sy-acme-dashboard-browser-it-0123456789";
    Map<String, Object> settings = Map.of(
        "switchyard.http.dashboard-refresh", "1s",
        "switchyard.tenants.acme", Map.of(),
        "switchyard.auth.keys", List.of(Map.of("tenant", "acme", "sha256", sha256Hex(tenantKey))),
        "switchyard.auth.admin-keys", List.of(Map.of("name", "ops", "sha256", sha256Hex(adminKey))),
        "switchyard.auth.id-secret", "dashboard-browser-it-id-secret-0123456789");
    try (TinyServer server = TinyServer.start(dir, 0.0, settings)) {
      assertEquals(401, snapshot(server, null).statusCode(), "no key");
      assertEquals(401, snapshot(server, "not-a-key").statusCode(), "an unknown key");
      assertEquals(403, snapshot(server, tenantKey).statusCode(), "a tenant's key is not an admin key");
      HttpResponse<String> admitted = snapshot(server, adminKey);
      assertEquals(200, admitted.statusCode(), admitted.body());
      assertTrue(JSON.readTree(admitted.body()).has("pools"), admitted.body());

      try (HeadlessChromium browser = HeadlessChromium.start(dir, 1400, 1000)) {
        browser.open(server.base + "/dashboard");
        browser.awaitTrue("document.getElementById('status').textContent === 'admin key needed'", RENDERED);
        assertTrue(text(browser, "#problem").contains("needs an admin key (401)"), text(browser, "#problem"));

        enterKey(browser, "not-a-key");
        browser.awaitTrue("document.getElementById('problem').textContent.includes('was not accepted (401)')",
            RENDERED);

        enterKey(browser, tenantKey);
        browser.awaitTrue("document.getElementById('status').textContent === 'admin key refused'", RENDERED);
        assertTrue(text(browser, "#problem").contains("(403)"), text(browser, "#problem"));

        enterKey(browser, adminKey);
        browser.awaitTrue("Number(document.body.dataset.snapshots || 0) >= 1", RENDERED);
        for (String model : List.of("small", "big")) {
          assertEquals("closed", text(browser, "#pools tr[data-pool='" + model + "'] td.circuit"),
              "pool " + model + " is listed with its circuit");
        }
        assertEquals("Up", text(browser, "#members tr td.status"), "this node is an Up member");
        assertTrue(browser.evaluate("document.getElementById('problem').hidden").asBoolean());
        assertEquals(adminKey, browser.evaluate("sessionStorage.getItem('switchyard.admin-key')").asText());
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

  private static HttpResponse<String> snapshot(TinyServer server, String key) throws Exception {
    HttpRequest.Builder get = HttpRequest.newBuilder(URI.create(server.base + "/admin/dashboard")).GET();
    if (key != null) {
      get.header("Authorization", "Bearer " + key);
    }
    return server.send(get);
  }

  private static String sha256Hex(String key) {
    return HexFormat.of().formatHex(ApiKeys.sha256(key));
  }

  private static void enterKey(HeadlessChromium browser, String key) throws Exception {
    browser.evaluate("document.getElementById('admin-key').value = " + JSON.writeValueAsString(key)
        + "; document.getElementById('key-form').requestSubmit(); true");
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
