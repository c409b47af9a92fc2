package dev.switchyard.strategies.uncertainty;

import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.Response;

/**
 * How an LLM judge is asked about a candidate answer and how its reply is read. The judge call is an
 * ordinary model call of the plan (so it is scheduled, billed and recorded like any other), sent as a
 * sub-query built by {@link #prompt}.
 */
public interface Judge {
  /** The text sent to the judge model. */
  String prompt(Query query, Response candidate);

  /** True when the judge's reply says the candidate is correct. */
  boolean approves(Response candidate, Response judgeReply);

  /**
   * A real judge: asks for a one-letter verdict and reads a reply starting with Y as approval (the prompt of
   * Zheng et al.'s single-answer grading, reduced to a binary verdict).
   */
  final class YesNo implements Judge {
    @Override
    public String prompt(Query query, Response candidate) {
      return "You are grading an answer. Question:\n" + query.text() + "\n\nProposed answer:\n" + candidate.text()
          + "\n\nIs the proposed answer correct? Reply with Y or N only.";
    }

    @Override
    public boolean approves(Response candidate, Response judgeReply) {
      String t = judgeReply.text().strip().toLowerCase(java.util.Locale.ROOT);
      return t.startsWith("y");
    }
  }

  /**
   * The replay adaptation: a recorded model cannot be shown a new prompt, so the judge model's recorded
   * answer to the same question comes back, and the judge "approves" when that answer agrees with the
   * candidate's (normalised) answer. It uses the same prompt as {@link YesNo}, so a live judge backend
   * receives a real grading request.
   */
  final class RecordedAgreement implements Judge {
    private final YesNo prompt = new YesNo();

    @Override
    public String prompt(Query query, Response candidate) {
      return prompt.prompt(query, candidate);
    }

    @Override
    public boolean approves(Response candidate, Response judgeReply) {
      return dev.switchyard.strategies.pipeline.Aggregation.normalise(candidate.text())
          .equals(dev.switchyard.strategies.pipeline.Aggregation.normalise(judgeReply.text()));
    }
  }
}
