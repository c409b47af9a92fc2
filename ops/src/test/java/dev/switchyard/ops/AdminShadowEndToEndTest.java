package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.EngineNode;
import dev.switchyard.actors.EngineSettings;
import dev.switchyard.actors.EngineSetup;
import dev.switchyard.actors.PipelineDefinition;
import dev.switchyard.actors.fleet.FleetBuilder;
import dev.switchyard.actors.fleet.FleetConfig;
import dev.switchyard.ops.http.ApiServer;
import dev.switchyard.ops.http.HttpMetrics;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.protocol.Budget;
import dev.switchyard.protocol.ChatMessage;
import dev.switchyard.protocol.Query;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.data.RecordedQuery;
import dev.switchyard.strategies.plan.PlanAction;
import dev.switchyard.strategies.plan.PlanState;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train once, serve the artifact (issue 9), over HTTP against an in-process engine serving a configured fleet of
 * two replayed models of the shared recording: `switchyard train` writes artifacts; one is installed as the shadow
 * of a running pipeline, decides every query in shadow, is scored where rewards exist, and once promoted acts; a bad
 * artifact is a 400 naming the problem; and a learner pipeline served from a ucb1 artifact starts with the trained
 * state and keeps learning. Skipped when the shared recording is absent.
 */
class AdminShadowEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final Path SHARED = Path.of(System.getProperty("switchyard.shared.data", "../shared/data"),
      "zellinger-cascade9", "queries.jsonl").toAbsolutePath();
  private static final String SMALL = "llama3.2-1b";
  private static final String LARGE = "gpt-4o";

  @TempDir
  static Path dir;

  private static ActorSystem<Void> system;
  private static String base;
  private static EngineSetup setup;
  private static Path quality;
  private static Path bandit;
  private static List<RecordedQuery> test;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Files.isRegularFile(SHARED), "the shared recording " + SHARED + " is absent: skipped");
    RecordedDataset data = RecordedDataset.load(SHARED).restrictedTo(List.of(SMALL, LARGE));
    test = data.split("test").queries().subList(0, 40);
    // the shadow to install: scope fitted for quality alone (the acting pipeline weighs cost heavily)
    quality = dir.resolve("scope-quality.json");
    train("--strategy", "scope", "--param", "cost-weight=0", "--out", quality.toString());
    bandit = dir.resolve("ucb1.json");
    train("--strategy", "ucb1", "--param", "cost-weight=0", "--param", "exploration=0.05", "--out",
        bandit.toString());
    String model = """
          %s { backend = replay, data = "%s", recorded-as = "%s", latency-scale = 0,
               price { input-per-mtok = %s, output-per-mtok = %s } }
        """;
    Path file = dir.resolve("fleet.conf");
    Files.writeString(file, "switchyard.models {\n" + model.formatted("small", SHARED, SMALL, "0.1", "0.1")
        + model.formatted("large", SHARED, LARGE, "2.5", "10") + "}\n"
        + "switchyard.pipelines {\n"
        + "  \"acme/routed\" { strategy = scope, models = [small, large], train-data = \"" + SHARED + "\","
        + " params { cost-weight = 50 } }\n"
        + "  \"acme/bandit\" { policy = \"" + bandit + "\", models = [small, large] }\n"
        + "}\n");
    Config config = SwitchyardConfig.load(Map.of("switchyard.http.port", 0, "switchyard.state-dir",
        dir.resolve("state").toString()), ConfigFactory.parseFile(file.toFile()));
    FleetFiles.Loaded loaded = new FleetFiles.Loaded(file, ConfigFactory.parseFile(file.toFile()));
    var replay = FleetFiles.replay(config, loaded);
    FleetConfig.Checked checked = FleetFiles.check(config, loaded, replay);
    assertEquals(List.of(), checked.problems());
    system = ActorSystem.create(Behaviors.empty(), "switchyard", config);
    setup = new FleetBuilder(config.getConfig("switchyard.fleet"), FleetFiles.backends(system, replay),
        EngineSettings.from(config).pool()).build(checked.fleet());
    HttpMetrics metrics = HttpMetrics.fromConfig(config);
    Engine engine = EngineNode.start(system, setup, Clock.systemUTC(), metrics.registry());
    var binding = ApiServer.serve(system, engine, HttpSettings.fromConfig(config), metrics).toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private static void train(String... args) {
    List<String> all = new ArrayList<>(List.of("train", "--data", SHARED.toString(), "--models", SMALL + "," + LARGE));
    all.addAll(List.of(args));
    SwitchyardCliTest.Run run = SwitchyardCliTest.run(all.toArray(String[]::new));
    assertEquals(0, run.exit(), run.err());
  }

  private static HttpResponse<String> send(String method, String path, String body) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return JSON.readTree(r.body());
  }

  /** Asks the pipeline {@code n} test-split questions; returns each answer's switchyard object. */
  private static List<JsonNode> ask(String pipeline, int from, int n) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      JsonNode r = ok(send("POST", "/v1/chat/completions", JSON.writeValueAsString(Map.of("model", pipeline,
          "messages", List.of(Map.of("role", "user", "content", test.get(i).prompt()))))));
      out.add(r.get("switchyard"));
    }
    return out;
  }

  private static List<JsonNode> concat(List<JsonNode> a, List<JsonNode> b) {
    List<JsonNode> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static long share(List<JsonNode> answers, String model) {
    return answers.stream().filter(a -> a.get("answer_model").asText().equals(model)).count();
  }

  private static final String ROUTED = "/admin/pipelines/acme%2Frouted";

  @Test
  void anArtifactInstalledAsShadowIsScoredThenPromotedAndActs() throws Exception {
    String fingerprint = PolicyArtifact.read(quality).fingerprint();
    List<JsonNode> before = ask("acme/routed", 0, 20);

    JsonNode installed = ok(send("PUT", ROUTED + "/shadow", Files.readString(quality)));
    assertEquals(fingerprint, installed.at("/shadow/fingerprint").asText());
    assertEquals(0, installed.at("/score/queries").asLong());

    // The node's board hears of the shadow through a topic a moment after the install answers (longer on a
    // loaded machine): probe until a query is scored, so that every one of the 20 below is.
    List<JsonNode> probes = new ArrayList<>();
    long scoredBeforehand = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (scoredBeforehand == 0) {
      assertTrue(System.nanoTime() < deadline, "no query was scored by the shadow within 10 s of its install");
      probes.addAll(ask("acme/routed", 20, 1));
      scoredBeforehand = ok(send("GET", ROUTED + "/shadow", null)).at("/score/queries").asLong();
    }
    List<JsonNode> shadowed = ask("acme/routed", 0, 20);
    assertEquals(share(before, "large"), share(shadowed, "large"), "the shadow is never acted on");
    JsonNode score = ok(send("GET", ROUTED + "/shadow", null)).get("score");
    long queries = score.get("queries").asLong();
    assertEquals(scoredBeforehand + 20, queries, "every query sent once the board had the shadow is scored: " + score);
    assertTrue(score.get("decisions").asLong() >= queries);
    assertTrue(score.get("agreed_decisions").asLong() < score.get("decisions").asLong(),
        "the quality-only shadow disagrees with the cost-weighted acting policy somewhere: " + score);
    assertEquals(queries, score.at("/rewarded/agreed/queries").asLong() + score.at("/rewarded/disagreed/queries")
        .asLong(), "each replayed answer has its recorded score as reward: " + score);

    for (JsonNode a : concat(shadowed, probes)) { // a user feedback replaces the recorded score
      ok(send("POST", "/v1/feedback", "{\"query_id\":\"" + a.get("query_id").asText() + "\",\"reward\":0.25}"));
    }
    JsonNode rescored = ok(send("GET", ROUTED + "/shadow", null)).get("score");
    for (String bucket : List.of("agreed", "disagreed")) {
      JsonNode b = rescored.at("/rewarded/" + bucket);
      if (b.get("queries").asLong() > 0) {
        assertEquals(0.25, b.get("acting_mean_reward").asDouble(), 1e-9, rescored.toString());
      }
    }

    JsonNode promoted = ok(send("POST", ROUTED + "/promote", null));
    assertEquals(fingerprint, promoted.get("promoted").asText());
    assertTrue(promoted.get("version").isNull(), "a fixed pipeline has no learner version");
    JsonNode after = ok(send("GET", ROUTED + "/shadow", null));
    assertTrue(after.get("shadow").isNull());
    assertEquals(fingerprint, after.at("/promoted/fingerprint").asText());
    List<JsonNode> acting = null;
    for (int attempt = 0; attempt < 50; attempt++) { // until this node's board has the promotion
      acting = ask("acme/routed", 20, 20);
      if (share(acting, "large") > share(before, "large")) {
        break;
      }
      Thread.sleep(100);
    }
    assertTrue(share(acting, "large") > share(before, "large"), "the quality-only artifact now acts: it sends more"
        + " to the large model (" + share(acting, "large") + " of 20, " + share(before, "large") + " before)");

    assertEquals(409, send("POST", ROUTED + "/promote", null).statusCode(), "nothing left to promote");
    assertEquals(404, send("DELETE", ROUTED + "/shadow", null).statusCode());
  }

  @Test
  void aBadArtifactIsRefusedNamingTheProblem() throws Exception {
    HttpResponse<String> wrongStrategy = send("PUT", ROUTED + "/shadow", Files.readString(bandit));
    assertEquals(400, wrongStrategy.statusCode(), wrongStrategy.body());
    JsonNode e = JSON.readTree(wrongStrategy.body()).get("error");
    assertEquals("invalid_artifact", e.get("code").asText());
    assertEquals("strategy", e.get("param").asText());
    assertTrue(e.get("message").asText().contains("trained for strategy ucb1"), e.toString());

    int next = PolicyArtifact.FORMAT_VERSION + 1;
    String future = Files.readString(quality).replaceFirst("\"formatVersion\" : " + PolicyArtifact.FORMAT_VERSION,
        "\"formatVersion\" : " + next);
    JsonNode version = JSON.readTree(send("PUT", ROUTED + "/shadow", future).body()).get("error");
    assertTrue(version.get("message").asText().contains("format version " + next), version.toString());

    String otherModels = Files.readString(quality).replace("\"" + SMALL + "\"", "\"llama3.1-70b\"");
    HttpResponse<String> models = send("PUT", ROUTED + "/shadow", otherModels);
    assertEquals(400, models.statusCode(), models.body());
    assertEquals("models", JSON.readTree(models.body()).at("/error/param").asText());

    HttpResponse<String> junk = send("PUT", ROUTED + "/shadow",
        "{\"formatVersion\": " + PolicyArtifact.FORMAT_VERSION + "}");
    assertEquals(400, junk.statusCode(), junk.body());
    assertEquals("acme/routed", ok(send("GET", "/admin/pipelines/acme/routed/shadow", null)).get("pipeline")
        .asText(), "a pipeline name's slashes may be sent as they are");
    assertEquals(405, send("POST", ROUTED + "/shadow", "{}").statusCode());
    assertEquals(404, send("PUT", "/admin/pipelines/nope/shadow", Files.readString(quality)).statusCode());
    assertEquals("pipeline_not_found", JSON.readTree(send("GET", "/admin/pipelines/nope/shadow", null).body())
        .at("/error/code").asText());
  }

  @Test
  void aLearnerServedFromItsTrainedArtifactStartsTrainedAndKeepsLearning() throws Exception {
    PolicyArtifact artifact = PolicyArtifact.read(bandit);
    assertEquals(PolicyArtifact.FORMAT_VERSION, artifact.formatVersion());
    assertEquals("ucb1", artifact.strategy());
    assertEquals(List.of(SMALL, LARGE), artifact.models());
    assertEquals(0.05, ((Number) artifact.params().get("exploration")).doubleValue(), 1e-12);
    assertEquals(64, artifact.data().sha256().length());
    assertEquals(1, artifact.frontier().size(), "its quality and cost on the test split");
    assertEquals(artifact.data().trainQueries(), artifact.learnerState().episodes(), "it learned the train split");

    PipelineDefinition def = setup.pipelines().stream().filter(p -> p.name().equals("acme/bandit")).findFirst()
        .orElseThrow();
    assertNotNull(def.start(), "served from the artifact's state, not refitted");
    assertEquals(artifact.learnerState().episodes(), def.start().snapshot().episodes());
    // what the trained state chooses first; a cold UCB1 tries its first arm (small) first
    RecordedQuery first = test.get(0);
    PlanAction choice = def.startingLearner().planner().next(PlanState.start(new Query("check",
        List.of(ChatMessage.user(first.prompt())), first.task(), Budget.unlimited()), setup.models()));
    assertEquals("large", ((PlanAction.Route) choice).modelId(), "quality alone: the trained bandit prefers large");

    long startVersion = awaitPolicyVersion(v -> v >= 1);
    List<JsonNode> answers = ask("acme/bandit", 0, 1);
    assertEquals("large", answers.get(0).at("/models_called/0").asText(),
        "the first query decided with the trained state");
    ask("acme/bandit", 1, 5);
    long learned = awaitPolicyVersion(v -> v >= startVersion + 6);
    assertTrue(learned > startVersion, "it keeps learning online from every answered query");
  }

  @Test
  void aLearnedPipelinesPolicyShowsTheVersionTheNodeActsOnAndWhatItsLearnerHolds() throws Exception {
    String path = "/admin/pipelines/acme%2Fbandit/policy";
    JsonNode before = awaitPolicy(path, p -> p.at("/node/version").asLong() == p.at("/learner/version").asLong());
    assertEquals("acme/bandit", before.path("pipeline").asText());
    assertTrue(before.at("/learner/fingerprint").asText().matches("[0-9a-f]{12}"), before.toString());
    assertTrue(before.at("/learner/episodes").asLong() >= PolicyArtifact.read(bandit).learnerState().episodes(),
        "it started from the artifact's state: " + before);
    assertTrue(before.at("/learner/candidate").isNull(), "auto promotion: no candidate");
    assertTrue(before.at("/node/candidate_version").isNull());

    ask("acme/bandit", 10, 3);
    long episodes = before.at("/learner/episodes").asLong();
    JsonNode after = awaitPolicy(path, p -> p.at("/learner/episodes").asLong() >= episodes + 3
        && p.at("/node/version").asLong() == p.at("/learner/version").asLong());
    assertTrue(after.at("/learner/version").asLong() > before.at("/learner/version").asLong(), after.toString());
    assertTrue(!after.at("/learner/fingerprint").asText().equals(before.at("/learner/fingerprint").asText()),
        "three more episodes changed the learned state");

    HttpResponse<String> fixed = send("GET", "/admin/pipelines/acme%2Frouted/policy", null);
    assertEquals(404, fixed.statusCode(), fixed.body());
    assertTrue(fixed.body().contains("no learned pipeline acme/routed"), fixed.body());
  }

  /** GET {@code path} until its JSON satisfies {@code until} (within 30 s). */
  private static JsonNode awaitPolicy(String path, java.util.function.Predicate<JsonNode> until) throws Exception {
    JsonNode last = null;
    for (int attempt = 0; attempt < 300; attempt++) {
      last = ok(send("GET", path, null));
      if (until.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("policy never as expected; last: " + last);
  }

  /** The node's switchyard_learner_policy_version of acme/bandit, once {@code until} holds (within 30 s). */
  private static long awaitPolicyVersion(java.util.function.LongPredicate until) throws Exception {
    long version = -1;
    for (int attempt = 0; attempt < 300; attempt++) {
      String text = send("GET", "/metrics", null).body();
      for (String line : text.split("\n")) {
        if (line.startsWith("switchyard_learner_policy_version") && line.contains("pipeline=\"acme/bandit\"")) {
          version = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      if (until.test(version)) {
        return version;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("acme/bandit's policy version stayed at " + version);
  }
}
