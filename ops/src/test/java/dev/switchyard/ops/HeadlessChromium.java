package dev.switchyard.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}) run headless, driven through the Chrome DevTools protocol over the
 * JDK's own WebSocket client: one page, whose console messages, uncaught exceptions, browser log entries (failed
 * loads, Content-Security-Policy violations) and requested URLs are all collected, so a test can open a page, wait
 * for what it renders, take a screenshot and check that nothing went wrong. Loopback only: Chromium listens for
 * DevTools on 127.0.0.1.
 */
public final class HeadlessChromium implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/chromium");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  /** Something the page reported: a console call, an uncaught exception or a browser log entry. */
  public record Message(String source, String level, String text) {
    public boolean isError() {
      return level.equals("error") || level.equals("exception");
    }
  }

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<Message> messages = java.util.Collections.synchronizedList(new ArrayList<>());
  private final List<String> requested = java.util.Collections.synchronizedList(new ArrayList<>());

  private HeadlessChromium(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  public static boolean installed() {
    return Files.isExecutable(BINARY);
  }

  /** Starts Chromium with a fresh profile in {@code dir} and a {@code width}x{@code height} window. */
  public static HeadlessChromium start(Path dir, int width, int height) throws Exception {
    Path profile = Files.createTempDirectory(dir, "chromium-profile");
    Process process = new ProcessBuilder(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--no-default-browser-check", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
        "--disable-breakpad", "--disable-crash-reporter",
        "--user-data-dir=" + profile, "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
        "--window-size=" + width + "," + height, "about:blank")
        .redirectErrorStream(true).redirectOutput(profile.resolve("chromium.log").toFile()).start();
    try {
      Path activePort = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
      while (!Files.exists(activePort) || Files.readAllLines(activePort).size() < 2) {
        if (!process.isAlive()) {
          throw new IllegalStateException("chromium exited with " + process.exitValue() + ": "
              + Files.readString(profile.resolve("chromium.log")));
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("chromium wrote no DevToolsActivePort within " + START_TIMEOUT);
        }
        Thread.sleep(50);
      }
      int port = Integer.parseInt(Files.readAllLines(activePort).get(0).trim());
      HttpClient http = HttpClient.newHttpClient();
      JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(CALL_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString()).body());
      String pageSocket = null;
      for (JsonNode t : targets) {
        if (t.path("type").asText().equals("page")) {
          pageSocket = t.get("webSocketDebuggerUrl").asText();
          break;
        }
      }
      if (pageSocket == null) {
        throw new IllegalStateException("chromium has no page target: " + targets);
      }
      HeadlessChromium[] self = new HeadlessChromium[1];
      Listener listener = new Listener(self);
      WebSocket socket = http.newWebSocketBuilder().connectTimeout(CALL_TIMEOUT)
          .buildAsync(URI.create(pageSocket), listener).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      self[0] = new HeadlessChromium(process, profile, socket);
      listener.ready.complete(null);
      self[0].call("Runtime.enable", JSON.createObjectNode());
      self[0].call("Log.enable", JSON.createObjectNode());
      self[0].call("Page.enable", JSON.createObjectNode());
      self[0].call("Network.enable", JSON.createObjectNode());
      ObjectNode metrics = JSON.createObjectNode().put("width", width).put("height", height)
          .put("deviceScaleFactor", 1).put("mobile", false);
      self[0].call("Emulation.setDeviceMetricsOverride", metrics);
      return self[0];
    } catch (Exception e) {
      process.destroyForcibly();
      throw e;
    }
  }

  /** Calls a DevTools method and waits for its result. */
  public JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
    message.set("params", params);
    socket.sendText(JSON.writeValueAsString(message), true).get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    JsonNode reply = answer.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IllegalStateException(method + " failed: " + reply.get("error"));
    }
    return reply.path("result");
  }

  /** Opens {@code url} in the page and waits for its load event. */
  public void open(String url) throws Exception {
    JsonNode navigated = call("Page.navigate", JSON.createObjectNode().put("url", url));
    if (navigated.hasNonNull("errorText")) {
      throw new IllegalStateException("could not open " + url + ": " + navigated.get("errorText"));
    }
    awaitTrue("document.readyState === 'complete'", Duration.ofSeconds(30));
  }

  /** Evaluates a JavaScript expression in the page; its value as JSON (null for undefined). */
  public JsonNode evaluate(String expression) throws Exception {
    JsonNode result = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true).put("awaitPromise", true));
    if (result.has("exceptionDetails")) {
      throw new IllegalStateException("evaluating " + expression + " threw: " + result.get("exceptionDetails"));
    }
    return result.path("result").path("value");
  }

  /** Polls {@code expression} until it is true; fails with the page's messages if not within {@code timeout}. */
  public void awaitTrue(String expression, Duration timeout) throws Exception {
    await(expression, JsonNode::asBoolean, timeout);
  }

  /** Polls {@code expression} until its value satisfies {@code done}, and returns that value. */
  public JsonNode await(String expression, Predicate<JsonNode> done, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = evaluate(expression);
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("within " + timeout + " the page never satisfied " + expression + " (last value " + last
        + "); its messages: " + messages());
  }

  /** Saves a PNG of the page as it is now (the whole page, beyond the window when it is longer). */
  public void screenshot(Path png) throws Exception {
    JsonNode shot = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
        .put("captureBeyondViewport", true));
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(shot.get("data").asText()));
  }

  /** Every message the page has reported so far. */
  public List<Message> messages() {
    synchronized (messages) {
      return List.copyOf(messages);
    }
  }

  /** The URL of every request the page has made so far (documents, scripts, styles, images, fetches). */
  public List<String> requested() {
    synchronized (requested) {
      return List.copyOf(requested);
    }
  }

  private void received(JsonNode message) {
    if (message.has("id")) {
      CompletableFuture<JsonNode> answer = pending.remove(message.get("id").asInt());
      if (answer != null) {
        answer.complete(message);
      }
      return;
    }
    JsonNode params = message.path("params");
    switch (message.path("method").asText()) {
      case "Runtime.consoleAPICalled" -> {
        StringBuilder text = new StringBuilder();
        for (JsonNode arg : params.path("args")) {
          text.append(text.isEmpty() ? "" : " ").append(arg.has("value") ? arg.get("value").asText()
              : arg.path("description").asText());
        }
        String type = params.path("type").asText();
        messages.add(new Message("console", type.equals("error") || type.equals("assert") ? "error" : type,
            text.toString()));
      }
      case "Runtime.exceptionThrown" -> {
        JsonNode details = params.path("exceptionDetails");
        messages.add(new Message("javascript", "exception", details.path("exception").path("description")
            .asText(details.path("text").asText())));
      }
      case "Network.requestWillBeSent" -> requested.add(params.path("request").path("url").asText());
      case "Log.entryAdded" -> {
        JsonNode entry = params.path("entry");
        messages.add(new Message(entry.path("source").asText(), entry.path("level").asText(),
            entry.path("text").asText() + (entry.has("url") ? " (" + entry.get("url").asText() + ")" : "")));
      }
      default -> { }
    }
  }

  @Override
  public void close() throws Exception {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the browser goes anyway
    }
    // Chromium's helpers (renderer, GPU, crash handler) outlive its main process for a moment and write to the
    // profile: every one of them must be gone before the profile can be deleted.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    for (ProcessHandle helper : helpers) {
      try {
        helper.onExit().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        helper.destroyForcibly();
        helper.onExit().get(5, TimeUnit.SECONDS);
      }
    }
    deleteTree(profile);
  }

  /** Deletes the profile; a file a helper still flushes in its last moment can leave a directory to retry once. */
  private static void deleteTree(Path dir) throws IOException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try (var paths = Files.walk(dir)) {
        for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
        return;
      } catch (java.nio.file.NoSuchFileException gone) {
        if (!Files.exists(dir)) {
          return;
        }
        if (attempt == 3) {
          throw gone;
        }
      } catch (java.nio.file.DirectoryNotEmptyException written) {
        if (attempt == 3) {
          throw written;
        }
      }
      Thread.sleep(500);
    }
  }

  /** Joins the text frames of each DevTools message and hands it over once the browser object exists. */
  private static final class Listener implements WebSocket.Listener {
    private final HeadlessChromium[] owner;
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final StringBuilder frames = new StringBuilder();

    Listener(HeadlessChromium[] owner) {
      this.owner = owner;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      frames.append(data);
      if (last) {
        String text = frames.toString();
        frames.setLength(0);
        ready.thenRun(() -> {
          try {
            owner[0].received(JSON.readTree(text));
          } catch (IOException e) {
            throw new IllegalStateException("unreadable DevTools message: " + text, e);
          }
        });
      }
      webSocket.request(1);
      return null;
    }
  }
}
