package dev.switchyard.strategies.planner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * R2-Reasoner's first stage: splits a task into subtasks. In simulation a job arrives already decomposed
 * (its recorded steps); for real text, {@link #lines()} splits numbered or bulleted lines and otherwise keeps
 * the task whole. A learned decomposer (an LLM) plugs in through this interface.
 */
@FunctionalInterface
public interface Decomposer {
  List<String> decompose(String task);

  /** One subtask per numbered ("1.", "2)") or bulleted ("-", "*") line; the whole text if there are none. */
  static Decomposer lines() {
    return task -> {
      List<String> steps = new ArrayList<>();
      for (String line : task.split("\\R")) {
        String t = line.strip();
        if (t.matches("^(\\d+[.)]|[-*])\\s+.*")) {
          steps.add(t.replaceFirst("^(\\d+[.)]|[-*])\\s+", ""));
        }
      }
      return steps.isEmpty() ? List.of(task.strip()) : steps;
    };
  }

  static Decomposer fixed(String... steps) {
    return task -> Arrays.asList(steps);
  }
}
