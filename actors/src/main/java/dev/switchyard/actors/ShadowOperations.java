package dev.switchyard.actors;

import static dev.switchyard.actors.EngineRefusals.asRejection;

import dev.switchyard.actors.EngineRejection.Reason;
import dev.switchyard.actors.fleet.PolicyArtifacts;
import dev.switchyard.actors.learn.Learner;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.strategies.artifact.PolicyArtifact;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The engine's shadow operations ({@link Engine#installShadow}, {@link Engine#removeShadow}, {@link Engine#shadow},
 * {@link Engine#promoteShadow}) on one node: checks an artifact as {@code config check} does, then asks the shadow
 * registry singleton (and, to promote into a learned pipeline, its learner) with {@code promote-timeout}. Nothing is
 * reported installed or promoted before the registry has journaled it; a failure is an {@link EngineRejection}.
 */
final class ShadowOperations {
  /** Room left in a shadow publication for its envelope and the other fields. */
  private static final long SHADOW_MESSAGE_HEADROOM_BYTES = 16 * 1024;

  private final NodeServices services;
  private final Scheduler scheduler;
  /** The transport's largest message ({@code pekko.remote.artery.advanced.maximum-frame-size}). */
  private final long maximumFrameBytes;
  /** Promotes a learned pipeline's own candidate ({@link Engine#promote}): what promoting without a shadow does. */
  private final Function<String, CompletionStage<Long>> promoteCandidate;

  ShadowOperations(NodeServices services, Scheduler scheduler, long maximumFrameBytes,
      Function<String, CompletionStage<Long>> promoteCandidate) {
    this.services = services;
    this.scheduler = scheduler;
    this.maximumFrameBytes = maximumFrameBytes;
    this.promoteCandidate = promoteCandidate;
  }

  CompletionStage<ShadowRegistry.Report> install(String pipeline, String artifactJson) {
    PipelineDefinition def = pipelineNamed(pipeline);
    if (def == null) {
      return unknownPipeline(pipeline);
    }
    PolicyArtifact artifact;
    try {
      artifact = PolicyArtifact.parse("the artifact", artifactJson);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, e.getMessage(), null, "body"));
    }
    List<PolicyArtifacts.Problem> problems = PolicyArtifacts.check(artifact, "the artifact", def.strategy().name(),
        services.modelsOf(def), def.recordedIds());
    if (!problems.isEmpty()) {
      PolicyArtifacts.Problem first = problems.get(0);
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "pipeline " + pipeline + ": "
          + first.field() + " " + first.message(), null, first.field()));
    }
    long bytes = artifactJson.getBytes(StandardCharsets.UTF_8).length;
    long limit = shadowMessageLimitBytes();
    if (bytes > limit) {
      // the registry publishes the installed shadows to every node in one message: one that is too large for the
      // transport would be dropped on the way, and the other nodes would never decide with the shadow
      return CompletableFuture.failedFuture(new EngineRejection(Reason.INVALID, "the artifact is " + bytes
          + " bytes; the shadows reach every node in one message of at most " + limit + " bytes"
          + " (pekko.remote.artery.advanced.maximum-frame-size less " + SHADOW_MESSAGE_HEADROOM_BYTES / 1024
          + " KiB): raise that setting on every node, or serve this artifact as the pipeline's policy in the"
          + " configuration", null, "body"));
    }
    ShadowRegistry.Installed installed = new ShadowRegistry.Installed(pipeline, artifactJson, artifact.fingerprint(),
        services.clock().millis());
    return askRegistry(r -> new ShadowRegistry.Install(installed, r), "installing a shadow of " + pipeline);
  }

  private long shadowMessageLimitBytes() {
    return maximumFrameBytes - SHADOW_MESSAGE_HEADROOM_BYTES;
  }

  CompletionStage<ShadowRegistry.Report> remove(String pipeline) {
    if (pipelineNamed(pipeline) == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.Remove(pipeline, r), "removing the shadow of " + pipeline)
        .thenApply(report -> {
          if (report.shadow() == null) {
            throw new EngineRejection(Reason.NOT_FOUND, "pipeline " + pipeline + " has no shadow installed", null);
          }
          return report;
        });
  }

  CompletionStage<ShadowRegistry.Report> report(String pipeline) {
    if (pipelineNamed(pipeline) == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.GetReport(pipeline, false, r), "the shadow of " + pipeline);
  }

  CompletionStage<Engine.Promotion> promote(String pipeline) {
    PipelineDefinition def = pipelineNamed(pipeline);
    if (def == null) {
      return unknownPipeline(pipeline);
    }
    return askRegistry(r -> new ShadowRegistry.GetReport(pipeline, true, r), "the shadow of " + pipeline)
        .thenCompose(report -> {
          if (report.shadow() == null) {
            if (def.isLearned()) {
              return promoteCandidate.apply(pipeline)
                  .thenApply(v -> new Engine.Promotion(pipeline, "v" + v, v, null));
            }
            throw new EngineRejection(Reason.CONFLICT, "pipeline " + pipeline + " has no shadow to promote: install"
                + " one with PUT /admin/pipelines/{name}/shadow", null);
          }
          ShadowRegistry.Installed shadow = report.shadow();
          if (!def.isLearned()) {
            return recordPromotion(pipeline, shadow.fingerprint(), true, null);
          }
          return adopt(pipeline, def, shadow)
              .thenCompose(adopted -> recordPromotion(pipeline, shadow.fingerprint(), false, adopted.version()));
        });
  }

  /** The learner of a learned pipeline takes the shadow's state as its next version. */
  private CompletionStage<Learner.Promoted> adopt(String pipeline, PipelineDefinition def,
      ShadowRegistry.Installed shadow) {
    PolicyArtifact artifact = PolicyArtifact.parse(shadow.fingerprint(), shadow.artifactJson());
    List<String> served = PolicyArtifacts.servedModels(artifact, services.modelsOf(def), def.recordedIds());
    var snapshot = artifact.snapshot(def.learner().get(), served, services.clock().millis());
    Duration timeout = services.settings().promoteTimeout();
    return AskPattern.<Learner.Command, Learner.Promoted>ask(services.learners().get(pipeline),
            r -> new Learner.Adopt(snapshot, shadow.fingerprint(), r), timeout, scheduler)
        .exceptionally(error -> {
          throw asRejection(error, "adopting " + shadow.fingerprint() + " in " + pipeline, timeout);
        });
  }

  private CompletionStage<Engine.Promotion> recordPromotion(String pipeline, String fingerprint, boolean acts,
      Long version) {
    return askRegistry(r -> new ShadowRegistry.Promote(pipeline, fingerprint, acts, r), "promoting " + fingerprint)
        .thenApply(report -> {
          if (!fingerprint.equals(report.promoted())) {
            throw new EngineRejection(Reason.CONFLICT, "the shadow of " + pipeline + " was replaced or removed while"
                + " " + fingerprint + " was being promoted", null);
          }
          return new Engine.Promotion(pipeline, fingerprint, version, report.score());
        });
  }

  private PipelineDefinition pipelineNamed(String name) {
    return services.pipelines().get(name);
  }

  private static <T> CompletionStage<T> unknownPipeline(String pipeline) {
    return CompletableFuture.failedFuture(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline " + pipeline,
        null));
  }

  private CompletionStage<ShadowRegistry.Report> askRegistry(
      org.apache.pekko.japi.function.Function<ActorRef<ShadowRegistry.Report>, ShadowRegistry.Command> message,
      String what) {
    Duration timeout = services.settings().promoteTimeout();
    return AskPattern.ask(services.shadowRegistry(), message, timeout, scheduler)
        .handle((report, error) -> {
          if (error != null) {
            throw asRejection(error, what, timeout);
          }
          return report;
        });
  }
}
