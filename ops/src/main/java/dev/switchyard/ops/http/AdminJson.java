package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.Engine;
import dev.switchyard.actors.shadow.ShadowRegistry;
import dev.switchyard.actors.shadow.ShadowTally;
import dev.switchyard.protocol.PolicySnapshot;
import java.time.Instant;
import java.util.List;

/**
 * How the admin API renders a pipeline's shadow, policy and promotion as JSON (docs/HTTP-API.md, "Admin: shadows and
 * promotion"): one rendering for {@link AdminRoutes} and the dashboard snapshot ({@link DashboardRoutes}).
 */
final class AdminJson {
  private final OpenAiJson json;

  AdminJson(OpenAiJson json) {
    this.json = json;
  }

  ObjectNode report(ShadowRegistry.Report r) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", r.pipeline());
    out.set("shadow", installed(r.shadow()));
    out.set("score", score(r.score()));
    if (r.promoted() == null) {
      out.putNull("promoted");
    } else {
      ObjectNode p = out.putObject("promoted");
      p.put("fingerprint", r.promoted());
      p.put("promoted_at", Instant.ofEpochMilli(r.promotedAtMillis()).toString());
    }
    return out;
  }

  ObjectNode policy(Engine.PolicyReport r) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", r.pipeline());
    ObjectNode node = out.putObject("node");
    node.put("version", r.nodeVersion());
    if (r.nodeCandidateVersion() == 0) {
      node.putNull("candidate_version");
    } else {
      node.put("candidate_version", r.nodeCandidateVersion());
    }
    ObjectNode learner = snapshot(out.putObject("learner"), r.learned().active());
    if (r.learned().candidate() == null) {
      learner.putNull("candidate");
    } else {
      snapshot(learner.putObject("candidate"), r.learned().candidate());
    }
    return out;
  }

  static ObjectNode snapshot(ObjectNode out, PolicySnapshot s) {
    out.put("version", s.version());
    out.put("episodes", s.episodes());
    out.put("fingerprint", s.parametersFingerprint());
    out.put("created_at", Instant.ofEpochMilli(s.createdAtMillis()).toString());
    return out;
  }

  ObjectNode promotion(Engine.Promotion p) {
    ObjectNode out = json.mapper().createObjectNode();
    out.put("pipeline", p.pipeline());
    out.put("promoted", p.promoted());
    if (p.version() == null) {
      out.putNull("version");
    } else {
      out.put("version", p.version());
    }
    out.set("score", score(p.score()));
    return out;
  }

  ObjectNode installed(ShadowRegistry.Installed i) {
    if (i == null) {
      return null;
    }
    ObjectNode out = json.mapper().createObjectNode();
    out.put("fingerprint", i.fingerprint());
    out.put("installed_at", Instant.ofEpochMilli(i.atMillis()).toString());
    return out;
  }

  ObjectNode score(ShadowTally.Score s) {
    if (s == null) {
      return null;
    }
    ObjectNode out = json.mapper().createObjectNode();
    out.put("queries", s.queries());
    out.put("decisions", s.decisions());
    out.put("agreed_decisions", s.agreedDecisions());
    out.put("agreed_queries", s.agreedQueries());
    if (s.decisions() == 0) {
      out.putNull("agreement");
    } else {
      out.put("agreement", (double) s.agreedDecisions() / s.decisions());
    }
    ObjectNode rewarded = out.putObject("rewarded");
    for (var bucket : List.of(new Object[] {"agreed", s.rewardedAgreed(), s.meanRewardAgreed()},
        new Object[] {"disagreed", s.rewardedDisagreed(), s.meanRewardDisagreed()})) {
      ObjectNode b = rewarded.putObject((String) bucket[0]);
      b.put("queries", (Long) bucket[1]);
      if (bucket[2] == null) {
        b.putNull("acting_mean_reward");
      } else {
        b.put("acting_mean_reward", (Double) bucket[2]);
      }
    }
    return out;
  }
}
