package dev.switchyard.ops;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The billing check of a job as {@code GET /v1/jobs/{id}} shows it, shared by the crash tests: a succeeded job
 * has every step once; no step lists a model-call attempt twice; each step bills exactly its answered calls and
 * the job exactly its steps. An empty list means nothing was billed twice.
 */
final class JobLedger {
  private JobLedger() {}

  static List<String> billingProblems(JsonNode job, int stepsPerJob) {
    List<String> problems = new ArrayList<>();
    String id = job.path("id").asText();
    JsonNode steps = job.path("steps");
    if ("succeeded".equals(job.path("status").asText()) && steps.size() != stepsPerJob) {
      problems.add(id + ": " + steps.size() + " steps, expected " + stepsPerJob);
    }
    double jobCost = 0;
    Set<Integer> indices = new HashSet<>();
    for (JsonNode step : steps) {
      if (!indices.add(step.path("index").asInt())) {
        problems.add(id + ": step " + step.path("index").asInt() + " listed twice");
      }
      Set<Integer> attempts = new HashSet<>();
      double answered = 0;
      for (JsonNode call : step.path("calls")) {
        if (!attempts.add(call.path("attempt").asInt())) {
          problems.add(id + " step " + step.path("index").asInt() + ": attempt " + call.path("attempt").asInt()
              + " recorded twice: " + step.path("calls"));
        }
        if ("answered".equals(call.path("outcome").asText())) {
          answered += call.path("cost_usd").asDouble();
        }
      }
      double billed = step.path("cost_usd").asDouble();
      if (Math.abs(billed - answered) > 1e-12) {
        problems.add(id + " step " + step.path("index").asInt() + ": billed " + billed + " but its answered calls cost "
            + answered);
      }
      jobCost += billed;
    }
    double total = job.path("result").path("cost_usd").asDouble();
    if (Math.abs(total - jobCost) > 1e-12) {
      problems.add(id + ": job billed " + total + " but its steps cost " + jobCost);
    }
    return problems;
  }}
