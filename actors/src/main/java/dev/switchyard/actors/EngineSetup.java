package dev.switchyard.actors;

import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.actors.fleet.Tenants;
import dev.switchyard.protocol.ModelCard;
import java.util.List;
import java.util.Map;

/**
 * What one node of the engine is started with: the model cards (the same on every node), this node's backends
 * per model id (one per GPU replica or API endpoint; each becomes a Worker when the model's pool lives here),
 * the pipelines served, and the pool settings of models whose own (concurrency, queue, timeout) differ from
 * {@code switchyard.pool}, and the tenants that are metered (the same on every node; none when nobody is).
 */
public record EngineSetup(List<ModelCard> models, Map<String, List<InferenceBackend>> backends,
    List<PipelineDefinition> pipelines, Map<String, EngineSettings.PoolSettings> pools, Tenants tenants) {
  public EngineSetup(List<ModelCard> models, Map<String, List<InferenceBackend>> backends,
      List<PipelineDefinition> pipelines, Map<String, EngineSettings.PoolSettings> pools) {
    this(models, backends, pipelines, pools, Tenants.NONE);
  }

  /** Every pool with {@code switchyard.pool} settings. */
  public EngineSetup(List<ModelCard> models, Map<String, List<InferenceBackend>> backends,
      List<PipelineDefinition> pipelines) {
    this(models, backends, pipelines, Map.of());
  }

  public EngineSetup {
    models = List.copyOf(models);
    backends = Map.copyOf(backends);
    pipelines = List.copyOf(pipelines);
    pools = Map.copyOf(pools);
    tenants = tenants == null ? Tenants.NONE : tenants;
    for (ModelCard m : models) {
      if (!backends.containsKey(m.id()) || backends.get(m.id()).isEmpty()) {
        throw new IllegalArgumentException("model " + m.id() + " has no backend on this node");
      }
    }
  }

  public EngineSetup withTenants(Tenants newTenants) {
    return new EngineSetup(models, backends, pipelines, pools, newTenants);
  }
}
