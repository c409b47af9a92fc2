package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.switchyard.actors.learn.RewardSignal;
import dev.switchyard.strategies.LearnerCatalog;
import dev.switchyard.strategies.StrategyCatalog;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import dev.switchyard.strategies.data.DataFormatException;
import dev.switchyard.strategies.data.RecordedDataset;
import dev.switchyard.strategies.pipeline.FallbackChain;
import dev.switchyard.strategies.uncertainty.JudgeScore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The fleet a node serves, read and checked from configuration: {@code switchyard.models.<id>} (every model the
 * engine may call) and {@code switchyard.pipelines.<name>} (what is served under a name). {@link #check} reports
 * every problem at once, each with its key path (models and pipelines in name order), and is what both {@code switchyard config check} and
 * {@code serve} run before anything starts.
 *
 * @param data the recorded-outcomes files the pipelines are fitted on, loaded once, by path
 * @param policies the artifacts pipelines are served from, read and checked once, by path
 * @param tenants {@code switchyard.tenants}; their allow-lists are checked against the fleet's models and pipelines
 *     only when the configuration names models (else the node serves the demo fleet, checked at its start)
 */
public record FleetConfig(List<ModelSpec> models, List<PipelineSpec> pipelines, Map<Path, RecordedDataset> data,
    Map<Path, PolicyArtifact> policies, Tenants tenants) {
  public static final String MODELS = "switchyard.models";
  public static final String PIPELINES = "switchyard.pipelines";

  public FleetConfig {
    models = List.copyOf(models);
    pipelines = List.copyOf(pipelines);
    data = Map.copyOf(data);
    policies = Map.copyOf(policies);
    java.util.Objects.requireNonNull(tenants, "tenants");
  }

  /** The configuration and its problems; the configuration is usable only when there are none. */
  public record Checked(FleetConfig fleet, List<ConfigProblem> problems) {
    public Checked {
      problems = List.copyOf(problems);
    }

    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** Whether the configuration names any model; with none, {@code serve} runs the simulated demo fleet. */
  public static boolean configured(Config root) {
    return root.hasPath(MODELS) && !root.getObject(MODELS).isEmpty();
  }

  /**
   * Checks {@code root} (the whole resolved configuration) and, when given, the keys of the user's own file
   * against every key the modules know.
   *
   * @param file the user's configuration file as parsed, or null
   * @param reference every known key with its default (the modules' reference.conf files)
   * @param baseDir relative {@code train-data} paths are resolved against it (the file's folder)
   */
  public static Checked check(Config root, Config file, Config reference, Map<String, BackendFactory> backends,
      Path baseDir) {
    List<ConfigProblem> problems = new ArrayList<>();
    if (file != null) {
      unknownSettings(file, reference, problems);
    }
    List<ModelSpec> models = models(root, backends, problems);
    Map<Path, RecordedDataset> data = new LinkedHashMap<>();
    Map<Path, PolicyArtifact> policies = new LinkedHashMap<>();
    List<PipelineSpec> pipelines = pipelines(root, models, baseDir, data, policies, problems);
    List<String> servable = null;
    if (configured(root)) {
      servable = new ArrayList<>();
      for (ModelSpec m : models) {
        servable.add(m.id());
      }
      for (PipelineSpec p : pipelines) {
        servable.add(p.name());
      }
    }
    Tenants tenants = Tenants.parse(root, servable, problems);
    return new Checked(new FleetConfig(models, pipelines, data, policies, tenants), problems);
  }

  private static List<ModelSpec> models(Config root, Map<String, BackendFactory> backends,
      List<ConfigProblem> problems) {
    List<ModelSpec> out = new ArrayList<>();
    if (!root.hasPath(MODELS)) {
      return out;
    }
    Config defaults = root.getConfig("switchyard.fleet.model-defaults");
    for (Map.Entry<String, ConfigValue> e : new java.util.TreeMap<>(root.getObject(MODELS)).entrySet()) {
      String id = e.getKey();
      String path = MODELS + "." + ModelSpec.quoted(id);
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        problems.add(new ConfigProblem(path, "must be an object: { backend = openai, base-url = ..., price {...} }"));
        continue;
      }
      Config entry = ((com.typesafe.config.ConfigObject) e.getValue()).toConfig().withFallback(defaults);
      String kind = entry.hasPath("backend") && entry.getValue("backend").valueType() == ConfigValueType.STRING
          ? entry.getString("backend") : "";
      BackendFactory backend = backends.get(kind);
      if (backend == null) {
        problems.add(new ConfigProblem(path + ".backend", "unknown backend '" + kind + "'"
            + KnownKeys.nearest(kind, backends.keySet()).map(n -> " (did you mean '" + n + "'?)").orElse("")
            + "; known: " + String.join(", ", new TreeSet<>(backends.keySet()))));
        continue;
      }
      Set<String> known = new TreeSet<>(ModelSpec.COMMON_KEYS);
      known.addAll(backend.keys());
      KnownKeys.check(path, ((com.typesafe.config.ConfigObject) e.getValue()).toConfig(), known, problems);
      ModelSpec spec = ModelSpec.parse(id, entry, problems);
      problems.addAll(backend.check(id, path, entry));
      if (spec != null) {
        out.add(spec);
      }
    }
    return out;
  }

  private static List<PipelineSpec> pipelines(Config root, List<ModelSpec> models, Path baseDir,
      Map<Path, RecordedDataset> data, Map<Path, PolicyArtifact> policies, List<ConfigProblem> problems) {
    List<PipelineSpec> out = new ArrayList<>();
    if (!root.hasPath(PIPELINES)) {
      return out;
    }
    Map<String, ModelSpec> fleet = models.stream().collect(Collectors.toMap(ModelSpec::id, m -> m,
        (a, b) -> a, LinkedHashMap::new));
    Set<String> offline = StrategyCatalog.all().keySet();
    Map<String, LearnerCatalog.Entry> learners = LearnerCatalog.all();
    Set<String> strategies = new TreeSet<>(offline);
    strategies.addAll(learners.keySet());
    strategies.add(FallbackChain.NAME);
    double defaultCostWeight = root.getDouble("switchyard.fleet.cost-weight");
    for (Map.Entry<String, ConfigValue> e : new java.util.TreeMap<>(root.getObject(PIPELINES)).entrySet()) {
      String name = e.getKey();
      String path = PIPELINES + "." + ModelSpec.quoted(name);
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        problems.add(new ConfigProblem(path, "must be an object: { strategy = ..., models = [...] }"));
        continue;
      }
      Config p = ((com.typesafe.config.ConfigObject) e.getValue()).toConfig();
      int before = problems.size();
      KnownKeys.check(path, p, PipelineSpec.KEYS, problems);
      if (fleet.containsKey(name)) {
        problems.add(new ConfigProblem(path, "a pipeline cannot have the name of a model: requests naming "
            + name + " go straight to that model"));
      }
      PolicyArtifact artifact = null;
      Path policy = null;
      if (p.hasPath("policy")) {
        policy = baseDir.resolve(ConfigValues.string(p, "policy", path, problems)).toAbsolutePath().normalize();
        artifact = artifact(path, policy, policies, problems);
        if (p.hasPath("train-data")) {
          problems.add(new ConfigProblem(path, "give policy (fitted by `switchyard train`) or train-data (fitted at"
              + " start), not both"));
        }
      }
      // with a policy, the strategy is the artifact's (an unreadable artifact is problem enough)
      String strategy = policy != null && !p.hasPath("strategy") ? (artifact != null ? artifact.strategy() : "")
          : ConfigValues.string(p, "strategy", path, problems);
      PipelineSpec.Kind kind = null;
      if (strategy.equals(FallbackChain.NAME)) {
        kind = PipelineSpec.Kind.FALLBACK;
      } else if (offline.contains(strategy)) {
        kind = PipelineSpec.Kind.OFFLINE;
      } else if (learners.containsKey(strategy)) {
        kind = PipelineSpec.Kind.LEARNER;
      } else if (!strategy.isEmpty()) {
        problems.add(new ConfigProblem(path + ".strategy", "unknown strategy '" + strategy + "'"
            + KnownKeys.nearest(strategy, strategies).map(n -> " (did you mean '" + n + "'?)").orElse("")
            + "; `switchyard evaluate --help` and docs/STRATEGIES.md list them"));
      }
      List<String> chosen = List.of();
      try {
        chosen = p.getStringList("models");
        if (chosen.isEmpty()) {
          problems.add(new ConfigProblem(path + ".models", "must name at least one model of switchyard.models"));
        }
        for (String m : chosen) {
          if (!fleet.containsKey(m)) {
            problems.add(new ConfigProblem(path + ".models", notInFleet(m, fleet)));
          }
        }
        if (new java.util.HashSet<>(chosen).size() != chosen.size()) {
          problems.add(new ConfigProblem(path + ".models", "names a model twice"));
        }
      } catch (ConfigException.Missing ex) {
        problems.add(new ConfigProblem(path + ".models", "missing: the models it routes between, e.g."
            + " models = [small, big]"));
      } catch (ConfigException ex) {
        problems.add(new ConfigProblem(path + ".models", "must be a list of model ids"));
      }
      Map<String, Object> params = new LinkedHashMap<>();
      double costWeight = artifact != null ? artifact.costWeight() : defaultCostWeight;
      if (p.hasPath("params")) {
        if (p.getValue("params").valueType() != ConfigValueType.OBJECT) {
          problems.add(new ConfigProblem(path + ".params", "must be an object of the strategy's parameters"));
        } else {
          params.putAll(p.getObject("params").unwrapped());
          if (params.containsKey("cost-weight")) {
            costWeight = ConfigValues.nonNegative(p, "params.cost-weight", path, problems);
            params.remove("cost-weight");
          }
        }
      }
      if (kind != null) {
        Set<String> allowed = switch (kind) {
          case FALLBACK, OFFLINE -> Set.of();
          case LEARNER -> learners.get(strategy).defaults().keySet();
        };
        for (String key : params.keySet()) {
          if (!allowed.contains(key)) {
            Set<String> all = new TreeSet<>(allowed);
            if (kind != PipelineSpec.Kind.FALLBACK) {
              all.add("cost-weight");
            }
            problems.add(new ConfigProblem(path + ".params." + key, "strategy " + strategy + " has no parameter '"
                + key + "'" + KnownKeys.nearest(key, all).map(n -> " (did you mean '" + n + "'?)").orElse("")
                + "; its parameters: " + (all.isEmpty() ? "none" : String.join(", ", all))));
          }
        }
      }
      Path trainData = null;
      if (p.hasPath("train-data")) {
        String file = ConfigValues.string(p, "train-data", path, problems);
        trainData = baseDir.resolve(file).toAbsolutePath().normalize();
        if (kind == PipelineSpec.Kind.FALLBACK) {
          problems.add(new ConfigProblem(path + ".train-data", "a fallback chain is not fitted: remove it"));
        } else if (!file.isEmpty()) {
          checkTrainData(path, trainData, chosen, fleet, data, problems);
        }
      } else if (kind == PipelineSpec.Kind.OFFLINE && artifact == null && !p.hasPath("policy")) {
        problems.add(new ConfigProblem(path + ".train-data", "strategy " + strategy + " is fitted offline:"
            + " give train-data, a queries.jsonl holding each model under its recorded-as id, or policy, an"
            + " artifact of `switchyard train`"));
      } else if (kind == PipelineSpec.Kind.LEARNER && learners.get(strategy).needsTrain()) {
        problems.add(new ConfigProblem(path + ".train-data", "learner " + strategy + " starts from recorded"
            + " outcomes: give train-data"));
      }
      if (artifact != null) {
        Map<String, String> recordedIds = new LinkedHashMap<>();
        chosen.stream().filter(fleet::containsKey).forEach(m -> recordedIds.put(m, recordedId(fleet.get(m))));
        for (PolicyArtifacts.Problem problem : PolicyArtifacts.check(artifact, policy.toString(), strategy,
            chosen.stream().filter(fleet::containsKey).toList(), recordedIds)) {
          problems.add(new ConfigProblem(path + "." + problem.field(), problem.message()));
        }
      }
      RewardSignal reward = rewardSignal(p, path, kind, strategy, fleet, problems);
      if (problems.size() == before && kind != null) {
        String description = p.hasPath("description") ? ConfigValues.string(p, "description", path, problems) : "";
        out.add(new PipelineSpec(name, strategy, kind, chosen, params, costWeight, trainData, policy, reward,
            description));
      }
    }
    return out;
  }

  private static String notInFleet(String model, Map<String, ModelSpec> fleet) {
    return "names model '" + model + "', which is not in switchyard.models" + KnownKeys.nearest(model,
        fleet.keySet()).map(n -> " (did you mean '" + n + "'?)").orElse("") + "; the fleet: "
        + String.join(", ", fleet.keySet());
  }

  /**
   * A pipeline's {@code reward}, {@code reward-model} and {@code judge-prompt}: what it learns a query no feedback
   * came for from. Only a learner takes a reward; agreement and judge name a fleet model, the others none (a key
   * the engine would not honour is an error, not ignored).
   */
  private static RewardSignal rewardSignal(Config p, String path, PipelineSpec.Kind kind, String strategy,
      Map<String, ModelSpec> fleet, List<ConfigProblem> problems) {
    int before = problems.size();
    RewardSignal.Kind reward = RewardSignal.Kind.FEEDBACK;
    if (p.hasPath("reward")) {
      String name = ConfigValues.string(p, "reward", path, problems);
      reward = RewardSignal.Kind.named(name);
      if (reward == null) {
        problems.add(new ConfigProblem(path + ".reward", "must be one of " + RewardSignal.Kind.names()
            + " (only rewards sent to /v1/feedback; else, where no feedback comes, the answer's confidence, its"
            + " agreement with other models' answers, or a judge model's grade), got '" + name + "'"));
        return RewardSignal.FEEDBACK_ONLY;
      }
      if (reward != RewardSignal.Kind.FEEDBACK && kind != null && kind != PipelineSpec.Kind.LEARNER) {
        problems.add(new ConfigProblem(path + ".reward", "strategy " + strategy + " does not learn online: only"
            + " a learner's pipeline takes a reward"));
      }
    }
    String model = null;
    if (p.hasPath("reward-model")) {
      model = ConfigValues.string(p, "reward-model", path, problems);
      if (!reward.needsModel()) {
        problems.add(new ConfigProblem(path + ".reward-model", "is for reward = agreement or judge; this pipeline's"
            + " reward is " + reward.configName() + (p.hasPath("reward") ? "" : " (reward not set)")
            + ": remove it or set reward"));
      } else if (!model.isEmpty() && !fleet.containsKey(model)) {
        problems.add(new ConfigProblem(path + ".reward-model", notInFleet(model, fleet)));
      }
    } else if (reward.needsModel()) {
      problems.add(new ConfigProblem(path + ".reward-model", "missing: reward = " + reward.configName() + " asks a"
          + " fleet model (" + (reward == RewardSignal.Kind.JUDGE ? "the judge" : "the one to agree with")
          + "): reward-model = one of " + String.join(", ", fleet.keySet())));
    }
    String judgePrompt = null;
    if (p.hasPath("judge-prompt")) {
      judgePrompt = ConfigValues.string(p, "judge-prompt", path, problems);
      if (reward != RewardSignal.Kind.JUDGE) {
        problems.add(new ConfigProblem(path + ".judge-prompt", "is for reward = judge; this pipeline's reward is "
            + reward.configName()));
      } else if (!judgePrompt.contains(JudgeScore.ANSWER)) {
        problems.add(new ConfigProblem(path + ".judge-prompt", "must contain " + JudgeScore.ANSWER + " (and may"
            + " contain " + JudgeScore.QUERY + "), where the answer (and the query) go"));
      }
    }
    if (problems.size() != before) {
      return RewardSignal.FEEDBACK_ONLY;
    }
    return new RewardSignal(reward, model, judgePrompt);
  }

  /** The artifact at {@code file}, read and its header checked once; null with a problem if not. */
  private static PolicyArtifact artifact(String path, Path file, Map<Path, PolicyArtifact> policies,
      List<ConfigProblem> problems) {
    PolicyArtifact known = policies.get(file);
    if (known != null) {
      return known;
    }
    try {
      PolicyArtifact a = PolicyArtifact.read(file);
      policies.put(file, a);
      return a;
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigProblem(path + ".policy", e.getMessage()));
    }
    return null;
  }

  private static void checkTrainData(String path, Path file, List<String> chosen, Map<String, ModelSpec> fleet,
      Map<Path, RecordedDataset> data, List<ConfigProblem> problems) {
    RecordedDataset loaded = data.get(file);
    if (loaded == null) {
      if (!Files.isRegularFile(file)) {
        problems.add(new ConfigProblem(path + ".train-data", "no such file: " + file));
        return;
      }
      try {
        loaded = RecordedDataset.load(file);
      } catch (DataFormatException | java.io.UncheckedIOException ex) {
        problems.add(new ConfigProblem(path + ".train-data", ex.getMessage()));
        return;
      }
      data.put(file, loaded);
    }

    for (String m : chosen) {
      ModelSpec spec = fleet.get(m);
      if (spec == null) {
        continue;
      }
      String recorded = recordedId(spec);
      if (!loaded.models().contains(recorded)) {
        problems.add(new ConfigProblem(MODELS + "." + ModelSpec.quoted(m) + ".recorded-as", (spec.recordedAs() == null
            ? "model " + m + " is not in " + file + ": set recorded-as to its id there"
            : "'" + recorded + "' is not a model of " + file) + "; it holds: " + String.join(", ", loaded.models())));
      }
    }
  }

  /** The model's id in recorded data: its recorded-as, else its own id. */
  static String recordedId(ModelSpec spec) {
    return spec.recordedAs() != null ? spec.recordedAs() : spec.id();
  }

  /**
   * Every key of the user's file under {@code switchyard} (other than the fleet's own, checked above) must be a
   * key some module knows: a misspelt setting would otherwise be ignored.
   */
  private static void unknownSettings(Config file, Config reference, List<ConfigProblem> problems) {
    Set<String> known = null;
    List<String> leaves = new ArrayList<>();
    leafPaths(file.root(), "", leaves);
    for (String key : leaves) {
      if (!key.startsWith("switchyard.") || key.startsWith(MODELS + ".") || key.startsWith(PIPELINES + ".")
          || key.startsWith(Tenants.TENANTS + ".") || reference.hasPathOrNull(key)) {
        continue;
      }
      if (known == null) {
        known = reference.getConfig("switchyard").entrySet().stream().map(k -> "switchyard." + k.getKey())
            .collect(Collectors.toCollection(TreeSet::new));
      }
      problems.add(new ConfigProblem(key, "unknown setting" + KnownKeys.nearest(key, known)
          .map(n -> " (did you mean '" + n + "'?)").orElse("")));
    }
  }

  /** Every leaf key path under {@code object}; unresolved values (such as {@code ${?ENV}}) count as leaves. */
  private static void leafPaths(com.typesafe.config.ConfigObject object, String prefix, List<String> out) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String path = prefix + ModelSpec.quoted(e.getKey());
      boolean isObject;
      try {
        isObject = e.getValue().valueType() == ConfigValueType.OBJECT;
      } catch (ConfigException.NotResolved unresolved) {
        isObject = false;
      }
      if (isObject) {
        leafPaths((com.typesafe.config.ConfigObject) e.getValue(), path + ".", out);
      } else {
        out.add(path);
      }
    }
  }
}
