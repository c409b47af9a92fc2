package dev.switchyard.simulator.backend;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * When to switch which model's replicas to which fault persona, in simulated time from the start of a run:
 * {@code 30s:gpt-4o=error, 90s:gpt-4o=healthy, 2m:*=flaky-20} ({@code *} means every model; events separated by
 * commas, semicolons or new lines; times in {@code ms}, {@code s} or {@code m}). Applied by whoever runs the
 * clock (a {@link Cursor}), so a run with the same schedule and seed injects the same faults at the same points.
 */
public final class ChaosSchedule {
  /** At {@code at} after the start, every replica of {@code model} ({@code *}: all) takes {@code persona}. */
  public record Event(Duration at, String model, FaultPersona persona) {
    public boolean appliesTo(String modelId) {
      return model.equals("*") || model.equals(modelId);
    }

    @Override
    public String toString() {
      return at.toMillis() + "ms:" + model + "=" + persona.name();
    }
  }

  private static final Pattern EVENT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)\\s*:\\s*([^=\\s]+)\\s*=\\s*(\\S+)");

  private final List<Event> events;

  public ChaosSchedule(List<Event> events) {
    List<Event> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(Event::at));
    this.events = List.copyOf(sorted);
  }

  public static ChaosSchedule none() {
    return new ChaosSchedule(List.of());
  }

  /**
   * Parses a schedule.
   *
   * @throws IllegalArgumentException naming the malformed event or persona
   */
  public static ChaosSchedule parse(String text) {
    List<Event> events = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return none();
    }
    for (String part : text.split("[,;\\n]")) {
      String p = part.strip();
      if (p.isEmpty() || p.startsWith("#")) {
        continue;
      }
      Matcher m = EVENT.matcher(p);
      if (!m.matches()) {
        throw new IllegalArgumentException("chaos event '" + p + "' is not <time>:<model>=<persona>, e.g. "
            + "30s:gpt-4o=error");
      }
      double amount = Double.parseDouble(m.group(1));
      double millis = switch (m.group(2)) {
        case "ms" -> amount;
        case "s" -> amount * 1000;
        default -> amount * 60_000;
      };
      FaultPersona persona;
      try {
        persona = FaultPersona.parse(m.group(4));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("chaos event '" + p + "': " + e.getMessage(), e);
      }
      events.add(new Event(Duration.ofMillis(Math.round(millis)), m.group(3), persona));
    }
    return new ChaosSchedule(events);
  }

  public List<Event> events() {
    return events;
  }

  /** A position in the schedule; not thread-safe (one per run, advanced by the run's clock). */
  public Cursor cursor() {
    return new Cursor();
  }

  public final class Cursor {
    private int next;

    private Cursor() {}

    /** The events with {@code at <= now} not returned before, in time order. */
    public List<Event> advanceTo(Duration now) {
      List<Event> due = new ArrayList<>();
      while (next < events.size() && events.get(next).at().compareTo(now) <= 0) {
        due.add(events.get(next++));
      }
      return due;
    }

    /** When the next event is due, or null when none is left. */
    public Duration nextAt() {
      return next < events.size() ? events.get(next).at() : null;
    }
  }

  /** Fails naming the event if it names a model the fleet does not have. */
  public void checkModels(java.util.Collection<String> models) {
    for (Event e : events) {
      if (!e.model().equals("*") && !models.contains(e.model())) {
        throw new IllegalArgumentException("chaos event " + e + " names unknown model " + e.model()
            + "; models: " + models);
      }
    }
  }

  /** Sets the event's persona on every matching replica. */
  public static void apply(Event event, Map<String, List<ReplayBackend>> replicas) {
    replicas.forEach((model, list) -> {
      if (event.appliesTo(model)) {
        list.forEach(b -> b.setPersona(event.persona()));
      }
    });
  }
}
