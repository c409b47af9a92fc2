package dev.switchyard.actors.learn;

import dev.switchyard.protocol.CrossNode;
import dev.switchyard.protocol.PolicySnapshot;
import java.util.Objects;

/**
 * A learner's publication to every node: the policy that acts ({@code active}) and, under manual promotion, a
 * newer {@code candidate} that only decides in shadow (null when there is none).
 */
public record PolicyPublished(String pipeline, PolicySnapshot active, PolicySnapshot candidate) implements CrossNode {
  public PolicyPublished {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(active, "active");
  }
}
