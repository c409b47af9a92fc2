package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tenants of {@code switchyard.tenants}, read and checked from configuration (each entry over
 * {@code switchyard.tenant-defaults}); empty when none is configured (then nobody is metered).
 */
public record Tenants(Map<String, TenantSpec> byName) {
  public static final String TENANTS = "switchyard.tenants";
  public static final Tenants NONE = new Tenants(Map.of());
  static final Set<String> KEYS = Set.of("budget-usd-per-day", "budget-usd-per-month", "requests-per-minute",
      "tokens-per-minute", "models", "priority");

  public Tenants {
    byName = Map.copyOf(byName);
  }

  public Optional<TenantSpec> get(String name) {
    return Optional.ofNullable(name == null ? null : byName.get(name));
  }

  public boolean isEmpty() {
    return byName.isEmpty();
  }

  /**
   * Reads {@code switchyard.tenants} of {@code root}, adding a problem at its key path for every bad entry.
   *
   * @param servable the models and pipelines the node serves, which an allow-list may name; null when not known
   *     yet (the caller checks them with {@link #checkServable} once it is)
   */
  public static Tenants parse(Config root, Collection<String> servable, List<ConfigProblem> problems) {
    if (!root.hasPath(TENANTS)) {
      return NONE;
    }
    if (root.getValue(TENANTS).valueType() != ConfigValueType.OBJECT) {
      problems.add(new ConfigProblem(TENANTS, "must be an object: { <name> { budget-usd-per-day = ..., ... } }"));
      return NONE;
    }
    Config defaults = root.getConfig("switchyard.tenant-defaults");
    Map<String, TenantSpec> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> e : new TreeMap<>(root.getObject(TENANTS)).entrySet()) {
      String name = e.getKey();
      String path = TENANTS + "." + ModelSpec.quoted(name);
      if (e.getValue().valueType() != ConfigValueType.OBJECT) {
        problems.add(new ConfigProblem(path, "must be an object: { budget-usd-per-day = 10, models = [...] }"));
        continue;
      }
      Config own = ((ConfigObject) e.getValue()).toConfig();
      KnownKeys.check(path, own, KEYS, problems);
      Config t = own.withFallback(defaults);
      int before = problems.size();
      double day = ConfigValues.nonNegative(t, "budget-usd-per-day", path, problems);
      double month = ConfigValues.nonNegative(t, "budget-usd-per-month", path, problems);
      long rpm = ConfigValues.nonNegativeInt(t, "requests-per-minute", path, problems);
      long tpm = ConfigValues.nonNegativeInt(t, "tokens-per-minute", path, problems);
      int priority = ConfigValues.positiveInt(t, "priority", path, problems);
      List<String> models = List.of();
      try {
        models = t.getStringList("models");
      } catch (ConfigException ex) {
        problems.add(new ConfigProblem(path + ".models", "must be a list of model or pipeline names"));
      }
      if (servable != null) {
        checkServable(path, models, servable, problems);
      }
      if (problems.size() == before) {
        out.put(name, new TenantSpec(name, day, month, rpm, tpm, models, priority));
      }
    }
    return new Tenants(out);
  }

  /** A problem for each allow-list entry that names neither a model nor a pipeline of {@code servable}. */
  public void checkServable(Collection<String> servable, List<ConfigProblem> problems) {
    for (TenantSpec t : new TreeMap<>(byName).values()) {
      checkServable(TENANTS + "." + ModelSpec.quoted(t.name()), t.models(), servable, problems);
    }
  }

  private static void checkServable(String path, List<String> models, Collection<String> servable,
      List<ConfigProblem> problems) {
    for (String m : models) {
      if (!servable.contains(m)) {
        problems.add(new ConfigProblem(path + ".models", "'" + m + "' is neither a model nor a pipeline this node"
            + " serves" + KnownKeys.nearest(m, servable).map(n -> " (did you mean '" + n + "'?)").orElse("")));
      }
    }
  }
}
