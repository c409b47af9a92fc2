package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import dev.switchyard.actors.backend.InferenceBackend;
import dev.switchyard.protocol.ModelCard;
import java.util.List;
import java.util.Set;

/**
 * One kind of model backend a fleet configuration can name ({@code backend = openai}, {@code backend = replay}):
 * the keys of a {@code switchyard.models.<id>} entry it reads besides the common ones, their check, and the
 * workers it makes. The application registers the kinds it ships (the OpenAI-compatible HTTP client in ops,
 * the recorded-outcomes replay in simulator), so the engine depends on neither.
 */
public interface BackendFactory {
  /** The name a model entry gives as {@code backend}. */
  String kind();

  /** Top-level keys of a model entry this backend reads, besides {@link ModelSpec#COMMON_KEYS}. */
  Set<String> keys();

  /** The problems of this backend's keys in model {@code id}'s {@code entry} (defaults applied), under {@code path}. */
  List<ConfigProblem> check(String id, String path, Config entry);

  /** One backend per endpoint (replica) of the model; each becomes a worker of its pool. */
  List<InferenceBackend> create(ModelSpec spec, ModelCard card);
}
