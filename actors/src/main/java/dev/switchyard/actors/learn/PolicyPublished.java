package dev.switchyard.actors.learn;

import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.PolicySnapshot;
import java.util.List;
import java.util.Objects;

/**
 * A learner's publication to every node: the policy that acts ({@code active}) and, under manual promotion, a
 * newer {@code candidate} that only decides in shadow (null when there is none). {@code learnedIds}: the query
 * ids of the episodes learned since the previous publication, so a node can tell which of its locally learned
 * episodes this version already contains ({@link LocalPolicies}).
 */
public record PolicyPublished(String pipeline, PolicySnapshot active, PolicySnapshot candidate,
    List<String> learnedIds) implements CrossNode {
  public PolicyPublished {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(active, "active");
    learnedIds = learnedIds == null ? List.of() : List.copyOf(learnedIds);
  }

  public PolicyPublished(String pipeline, PolicySnapshot active, PolicySnapshot candidate) {
    this(pipeline, active, candidate, List.of());
  }
}
