package dev.switchyard.actors.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.learn.RewardSignal;
import dev.switchyard.protocol.ModelCard;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code switchyard config check} and {@code serve} report for each kind of mistake in a fleet
 * configuration: one line per problem, with its key path, and the nearest known name for a typo.
 */
@ExtendWith(LogCapturingExtension.class)
class FleetConfigTest {
  /** A backend kind with one key of its own; the engine's checks are under test, not a backend's. */
  static final class Local implements BackendFactory {
    @Override
    public String kind() {
      return "local";
    }

    @Override
    public Set<String> keys() {
      return Set.of("address");
    }

    @Override
    public List<ConfigProblem> check(String id, String path, Config entry) {
      return entry.hasPath("address") ? List.of() : List.of(new ConfigProblem(path + ".address", "missing"));
    }

    @Override
    public List<InferenceBackend> create(ModelSpec spec, ModelCard card) {
      throw new UnsupportedOperationException("not built here");
    }
  }

  @TempDir
  Path dir;

  private static final String FLEET = """
      switchyard.models {
        small { backend = local, address = a, price { input-per-mtok = 0.1, output-per-mtok = 0.2 } }
        big { backend = local, address = b, price { input-per-mtok = 2.5, output-per-mtok = 10 },
              concurrency = 4, max-queue = 8, timeout = 30s, tags = [math, code], recorded-as = "gpt-4o" }
      }
      """;

  private FleetConfig.Checked check(String hocon) {
    Config file = ConfigFactory.parseString(hocon);
    Config root = NodeConfig.load(ConfigFactory.empty(), file, null);
    return FleetConfig.check(root, file, ConfigFactory.defaultReference(), Map.of("local", new Local()), dir);
  }

  private List<String> problems(String hocon) {
    return check(hocon).problems().stream().map(ConfigProblem::line).toList();
  }

  @Test
  void aCorrectFleetIsReadWithItsDefaults() {
    FleetConfig.Checked checked = check(FLEET + """
        switchyard.pipelines {
          chain { strategy = fallback, models = [small, big] }
          "team/bandit" { strategy = thompson, models = [small, big], params { sigma = 0.3, cost-weight = 0.2 } }
        }
        """);
    assertEquals(List.of(), checked.problems());
    ModelSpec big = checked.fleet().models().get(0);
    assertEquals("big", big.id());
    assertEquals(4, big.concurrency());
    assertEquals(8, big.maxQueue());
    assertEquals(java.time.Duration.ofSeconds(30), big.timeout());
    assertEquals(List.of("math", "code"), big.tags());
    assertEquals("gpt-4o", big.recordedAs());
    assertEquals(0.0000125, big.priceUsd(1, 1), 1e-12);
    ModelSpec small = checked.fleet().models().get(1);
    assertEquals(8, small.concurrency(), "switchyard.pool.max-concurrency-per-worker");
    assertEquals(128000, small.contextWindow());
    PipelineSpec bandit = checked.fleet().pipelines().get(1);
    assertEquals("team/bandit", bandit.name());
    assertEquals(PipelineSpec.Kind.LEARNER, bandit.kind());
    assertEquals(Map.of("sigma", 0.3), bandit.params());
    assertEquals(0.2, bandit.costWeight());
    assertEquals(PipelineSpec.Kind.FALLBACK, checked.fleet().pipelines().get(0).kind());
  }

  @Test
  void tenantsAreReadOverTheirDefaults() {
    FleetConfig.Checked checked = check(FLEET + """
        switchyard.pipelines { chain { strategy = fallback, models = [small, big] } }
        switchyard.tenants {
          acme { budget-usd-per-day = 5, budget-usd-per-month = 100, requests-per-minute = 600,
                 tokens-per-minute = 200000, models = [chain, small], priority = 3 }
          quiet {}
        }
        """);
    assertEquals(List.of(), checked.problems());
    TenantSpec acme = checked.fleet().tenants().get("acme").orElseThrow();
    assertEquals(new TenantSpec("acme", 5, 100, 600, 200000, List.of("chain", "small"), 3), acme);
    assertTrue(acme.allows("chain"));
    assertTrue(!acme.allows("big"), "big is outside acme's allow-list");
    TenantSpec quiet = checked.fleet().tenants().get("quiet").orElseThrow();
    assertEquals(new TenantSpec("quiet", 0, 0, 0, 0, List.of(), 1), quiet, "no limit, every model, weight 1");
    assertTrue(quiet.allows("big"));
  }

  @Test
  void tenantMistakesAreNamedByKeyPath() {
    assertEquals(List.of(
            "switchyard.tenants.acme.priorty: unknown key (did you mean 'priority'?); known here: budget-usd-per-day,"
                + " budget-usd-per-month, models, priority, requests-per-minute, tokens-per-minute",
            "switchyard.tenants.acme.budget-usd-per-day: must be a finite number >= 0, got -1.0",
            "switchyard.tenants.acme.models: 'smal' is neither a model nor a pipeline this node serves (did you mean"
                + " 'small'?)",
            "switchyard.tenants.b.priority: must be at least 1",
            "switchyard.tenants.c: must be an object: { budget-usd-per-day = 10, models = [...] }"),
        problems(FLEET + """
            switchyard.tenants {
              acme { budget-usd-per-day = -1, priorty = 2, models = [smal] }
              b { priority = 0 }
              c = 5
            }
            """));
  }

  @Test
  void modelMistakesAreNamedByKeyPath() {
    assertEquals(List.of("switchyard.models.m.price: a model needs a price: price { input-per-mtok = ...,"
            + " output-per-mtok = ... } in USD per million tokens (0 for a model that costs nothing per call)",
        "switchyard.models.m.price.input-per-mtok: missing", "switchyard.models.m.price.output-per-mtok: missing"),
        problems("switchyard.models.m { backend = local, address = a }"));
    assertEquals(List.of("switchyard.models.m.backend: unknown backend 'locl' (did you mean 'local'?); known: local"),
        problems("switchyard.models.m { backend = locl, price { input-per-mtok = 1, output-per-mtok = 1 } }"));
    List<String> typo = problems("switchyard.models.m { backend = local, address = a, concurency = 4,"
        + " price { input-per-mtok = 1, output-per-mtok = 1 } }");
    assertEquals(1, typo.size(), typo.toString());
    assertTrue(typo.get(0).startsWith("switchyard.models.m.concurency: unknown key (did you mean 'concurrency'?)"),
        typo.get(0));
    assertEquals(List.of("switchyard.models.m.address: missing", "switchyard.models.m.timeout: must be a duration"
            + " such as 500ms, 60s or 2m, got \"soon\"", "switchyard.models.m.price.output-per-mtok: must be a finite"
            + " number >= 0, got -1.0"),
        problems("switchyard.models.m { backend = local, timeout = soon,"
            + " price { input-per-mtok = 1, output-per-mtok = -1 } }").stream().sorted(
                java.util.Comparator.comparing((String l) -> !l.contains("address"))
                    .thenComparing(l -> !l.contains("timeout"))).toList());
  }

  @Test
  void pipelineMistakesAreNamedByKeyPath() {
    assertEquals(List.of("switchyard.pipelines.p.strategy: unknown strategy 'thomson' (did you mean 'thompson'?);"
            + " `switchyard evaluate --help` and docs/STRATEGIES.md list them"),
        problems(FLEET + "switchyard.pipelines.p { strategy = thomson, models = [small] }"));
    assertEquals(List.of("switchyard.pipelines.p.models: names model 'bigg', which is not in switchyard.models"
            + " (did you mean 'big'?); the fleet: big, small"),
        problems(FLEET + "switchyard.pipelines.p { strategy = fallback, models = [small, bigg] }"));
    assertEquals(List.of("switchyard.pipelines.p.params.sigmaa: strategy thompson has no parameter 'sigmaa' (did you"
            + " mean 'sigma'?); its parameters: cost-weight, prior-mean, sigma"),
        problems(FLEET + "switchyard.pipelines.p { strategy = thompson, models = [small], params { sigmaa = 1 } }"));
    assertEquals(List.of("switchyard.pipelines.p.train-data: strategy scope is fitted offline: give train-data, a"
            + " queries.jsonl holding each model under its recorded-as id, or policy, an artifact of `switchyard"
            + " train`"),
        problems(FLEET + "switchyard.pipelines.p { strategy = scope, models = [small, big] }"));
    assertEquals(List.of("switchyard.pipelines.small: a pipeline cannot have the name of a model: requests naming"
            + " small go straight to that model"),
        problems(FLEET + "switchyard.pipelines.small { strategy = fallback, models = [big] }"));
  }

  @Test
  void trainDataMustHoldEveryModelUnderItsRecordedId() throws IOException {
    Path data = dir.resolve("q.jsonl");
    Files.writeString(data, """
        {"id":"1","task":"t","source_split":"train","prompt":"a","models":{"gpt-4o":{"correct":1,"cost_usd":0.01},"tiny":{"correct":0,"cost_usd":0.001}}}
        """);
    assertEquals(List.of("switchyard.models.small.recorded-as: model small is not in " + data.toAbsolutePath()
            + ": set recorded-as to its id there; it holds: gpt-4o, tiny"),
        problems(FLEET + "switchyard.pipelines.p { strategy = scope, models = [small, big], train-data = q.jsonl }"));
    assertEquals(List.of("switchyard.pipelines.p.train-data: no such file: " + dir.resolve("none.jsonl")),
        problems(FLEET + "switchyard.pipelines.p { strategy = scope, models = [big], train-data = none.jsonl }"));
  }

  /** An artifact of scope fitted on {@code q.jsonl} (models gpt-4o and tiny), as `switchyard train` writes it. */
  private Path artifact(int formatVersion) throws IOException {
    Path data = dir.resolve("q.jsonl");
    Files.writeString(data, """
        {"id":"1","task":"t","source_split":"train","prompt":"a","models":{"gpt-4o":{"correct":1,"cost_usd":0.01},"tiny":{"correct":0,"cost_usd":0.001}}}
        {"id":"2","task":"t","source_split":"train","prompt":"b","models":{"gpt-4o":{"correct":1,"cost_usd":0.01},"tiny":{"correct":1,"cost_usd":0.001}}}
        """);
    var strategy = dev.switchyard.strategies.StrategyCatalog.all().get("scope").get();
    strategy.fit(dev.switchyard.strategies.data.RecordedDataset.load(data).split("train"),
        dev.switchyard.strategies.StrategyContext.seeded(1));
    Path file = dir.resolve("policy-v" + formatVersion + ".json");
    new dev.switchyard.strategies.artifact.PolicyArtifact(formatVersion, "scope", 0.3, Map.of(),
        List.of("gpt-4o", "tiny"),
        new dev.switchyard.strategies.artifact.PolicyArtifact.DataFingerprint(data.toString(), "0", 2, 0, false, 1),
        List.of(), dev.switchyard.strategies.artifact.FittedState.encode(strategy), null).write(file);
    return file;
  }

  @Test
  void aLearnerArtifactServesALearnerPipelineOfItsStrategyAndModels() throws IOException {
    new dev.switchyard.strategies.artifact.PolicyArtifact(
        dev.switchyard.strategies.artifact.PolicyArtifact.FORMAT_VERSION, "ucb1", 0.2, Map.of("exploration", 0.1),
        List.of("gpt-4o", "tiny"),
        new dev.switchyard.strategies.artifact.PolicyArtifact.DataFingerprint("q.jsonl", "0", 2, 0, false, 1),
        List.of(), null, new dev.switchyard.strategies.artifact.PolicyArtifact.LearnerState(0.01, 1, 2,
            Map.of("pulls", new double[] {1, 1}, "reward_sums", new double[] {1, 0}))).write(dir.resolve("ucb1.json"));
    String fleet = FLEET + "switchyard.models.tiny { backend = local, address = c,"
        + " price { input-per-mtok = 0.01, output-per-mtok = 0.01 } }\n";
    FleetConfig.Checked ok = check(fleet + "switchyard.pipelines.p { policy = ucb1.json, models = [tiny, big] }");
    assertEquals(List.of(), ok.problems());
    assertEquals(PipelineSpec.Kind.LEARNER, ok.fleet().pipelines().get(0).kind());
    assertEquals(List.of("switchyard.pipelines.p.strategy: is thompson, but " + dir.resolve("ucb1.json")
            + " was trained for strategy ucb1"),
        problems(fleet + "switchyard.pipelines.p { strategy = thompson, policy = ucb1.json, models = [big, tiny] }"));
  }

  @Test
  void aPolicyArtifactIsCheckedForItsFormatItsStrategyAndItsModels() throws IOException {
    int current = dev.switchyard.strategies.artifact.PolicyArtifact.FORMAT_VERSION;
    String policy = "policy-v" + current + ".json";
    artifact(current);
    String fleet = FLEET + "switchyard.models.tiny { backend = local, address = c,"
        + " price { input-per-mtok = 0.01, output-per-mtok = 0.01 } }\n";
    FleetConfig.Checked ok = check(fleet + "switchyard.pipelines.p { policy = " + policy + ", models = [big, tiny] }");
    assertEquals(List.of(), ok.problems());
    PipelineSpec p = ok.fleet().pipelines().get(0);
    assertEquals("scope", p.strategy(), "the artifact's strategy");
    assertEquals(0.3, p.costWeight(), "the artifact's cost weight, unless params give one");
    assertEquals(dir.resolve(policy), p.policy());

    assertEquals(List.of("switchyard.pipelines.p.models: " + dir.resolve(policy) + " was trained for models"
            + " [gpt-4o, tiny] of " + dir.resolve("q.jsonl") + "; the pipeline's models are recorded as [gpt-4o, small]"
            + " (set each model's recorded-as)"),
        problems(fleet + "switchyard.pipelines.p { policy = " + policy + ", models = [big, small] }"));
    assertEquals(List.of("switchyard.pipelines.p.strategy: is automix, but " + dir.resolve(policy)
            + " was trained for strategy scope"),
        problems(fleet + "switchyard.pipelines.p { strategy = automix, policy = " + policy + ", models = [big, tiny] }"));
    assertEquals(List.of("switchyard.pipelines.p: give policy (fitted by `switchyard train`) or train-data (fitted at"
            + " start), not both"),
        problems(fleet + "switchyard.pipelines.p { policy = " + policy + ", train-data = q.jsonl, models = [big, tiny] }"));
    artifact(99);
    assertEquals(List.of("switchyard.pipelines.p.policy: " + dir.resolve("policy-v99.json") + " has artifact format"
            + " version 99; this build reads version " + current + ": run `switchyard train` again with this build"),
        problems(fleet + "switchyard.pipelines.p { policy = policy-v99.json, models = [big, tiny] }"));
    Files.writeString(dir.resolve("junk.json"), "{\"formatVersion\": " + current + ", \"strategy\": \"scope\"}");
    List<String> junk = problems(fleet + "switchyard.pipelines.p { policy = junk.json, models = [big, tiny] }");
    assertEquals(1, junk.size(), junk.toString());
    assertTrue(junk.get(0).startsWith("switchyard.pipelines.p.policy: "), junk.get(0));
  }

  private static final String LEARNER = FLEET + "switchyard.pipelines.p { strategy = ucb1, models = [small, big], ";

  /** The reward of a learned pipeline p over small and big with {@code keys}. */
  private RewardSignal reward(String keys) {
    return check(LEARNER + keys + " }").fleet().pipelines().get(0).reward();
  }

  /** That p with {@code keys} has exactly {@code problem} (after "switchyard.pipelines.p."). */
  private void refused(String keys, String problem) {
    assertEquals(List.of("switchyard.pipelines.p." + problem), problems(LEARNER + keys + " }"));
  }

  @Test
  void aRewardSignalIsForLearnersAndNamedAsOneOfFour() {
    assertEquals(List.of(), problems(LEARNER + "reward = confidence }"));
    assertEquals(RewardSignal.confidence(), reward("reward = confidence"));
    assertEquals(RewardSignal.FEEDBACK_ONLY, reward(""));
    refused("reward = votes", "reward: must be one of feedback, confidence, agreement, judge (only rewards sent to"
        + " /v1/feedback; else, where no feedback comes, the answer's confidence, its agreement with other models'"
        + " answers, or a judge model's grade), got 'votes'");
    assertEquals(List.of("switchyard.pipelines.p.reward: strategy fallback does not learn online: only a learner's"
            + " pipeline takes a reward"),
        problems(FLEET + "switchyard.pipelines.p { strategy = fallback, models = [small], reward = confidence }"));
  }

  @Test
  void agreementAndJudgeNameTheirRewardModelFromTheFleet() {
    assertEquals(RewardSignal.agreement("big"), reward("reward = agreement, reward-model = big"));
    assertEquals(RewardSignal.judge("big", "Grade {answer} to {query} 1-10"),
        reward("reward = judge, reward-model = big, judge-prompt = \"Grade {answer} to {query} 1-10\""));
    assertEquals(RewardSignal.judge("small", null), reward("reward = judge, reward-model = small"),
        "the judge need not be one of the pipeline's models; default prompt");
    refused("reward = judge", "reward-model: missing: reward = judge asks a fleet model (the judge): reward-model ="
        + " one of big, small");
    refused("reward = agreement", "reward-model: missing: reward = agreement asks a fleet model (the one to agree"
        + " with): reward-model = one of big, small");
    refused("reward = judge, reward-model = bgi", "reward-model: names model 'bgi', which is not in"
        + " switchyard.models (did you mean 'big'?); the fleet: big, small");
  }

  @Test
  void aRewardKeyTheRewardDoesNotUseIsAnError() {
    refused("reward = confidence, reward-model = big", "reward-model: is for reward = agreement or judge; this"
        + " pipeline's reward is confidence: remove it or set reward");
    refused("reward-model = big", "reward-model: is for reward = agreement or judge; this pipeline's reward is"
        + " feedback (reward not set): remove it or set reward");
    refused("reward = agreement, reward-model = big, judge-prompt = \"Grade {answer}\"", "judge-prompt: is for"
        + " reward = judge; this pipeline's reward is agreement");
    refused("reward = judge, reward-model = big, judge-prompt = \"Grade it\"", "judge-prompt: must contain {answer}"
        + " (and may contain {query}), where the answer (and the query) go");
  }

  @Test
  void aMisspeltSettingElsewhereIsAnErrorNotADefault() {
    assertEquals(List.of("switchyard.pool.max-queu: unknown setting (did you mean 'switchyard.pool.max-queue'?)"),
        problems(FLEET + "switchyard.pool.max-queu = 3"));
    assertEquals(List.of(), problems(FLEET + "switchyard.pool.max-queue = 3\npekko.loglevel = DEBUG"));
  }
}
