package dev.switchyard.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.switchyard.actors.journal.LocalPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * What the shared journal holds for the accepted jobs: job entities ({@code job|<id>}) and their step queries
 * ({@code query|<id>/step-<n>}). An entity whose events carry more than one writer id was recovered by a new
 * incarnation (after the kill: on a survivor) and wrote again. Problems: a model call attempt routed or
 * answered twice in one query, a query or job step that ended twice, a job that ended twice, an entity that
 * an earlier incarnation wrote to again after a later one had (two incarnations alive at once).
 */
record JournalAudit(int jobs, int queries, int resumed, double lastResumeSeconds, int answeredCalls,
    List<String> problems, List<String> resumedHistories) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static JournalAudit of(LocalPostgres journal, Set<String> jobIds, long killedAtMillis) throws Exception {
    Map<String, List<String[]>> events = new LinkedHashMap<>(); // pid -> [writer, manifest, payload, timestamp]
    try (Connection c = journal.connect();
         PreparedStatement st = c.prepareStatement("SELECT \"persistence_id\", \"writer\", "
             + "\"event_ser_manifest\", \"event_payload\", \"write_timestamp\" FROM \"event_journal\" "
             + "ORDER BY \"persistence_id\", \"sequence_number\"");
         ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        String pid = rs.getString(1);
        String entity = pid.substring(pid.indexOf('|') + 1);
        String jobId = entity.contains("/step-") ? entity.substring(0, entity.indexOf("/step-")) : entity;
        if (!jobIds.contains(jobId)) {
          continue;
        }
        events.computeIfAbsent(pid, k -> new ArrayList<>()).add(new String[] {rs.getString(2), rs.getString(3),
            payload(rs.getBytes(4)), Long.toString(rs.getLong(5))});
      }
    }
    int jobs = 0;
    int queries = 0;
    int resumed = 0;
    int answered = 0;
    long lastResume = 0;
    List<String> problems = new ArrayList<>();
    List<String> histories = new ArrayList<>();
    Map<String, String> allHistories = new LinkedHashMap<>();
    Set<String> resumedJobs = new HashSet<>();
    for (Map.Entry<String, List<String[]>> e : events.entrySet()) {
      String pid = e.getKey();
      boolean query = pid.startsWith("query|");
      if (query) {
        queries++;
      } else {
        jobs++;
      }
      String firstWriter = e.getValue().get(0)[0];
      long firstOtherWrite = Long.MAX_VALUE;
      Set<String> seen = new HashSet<>();
      List<String> writers = new ArrayList<>();
      StringBuilder history = new StringBuilder();
      int newestWriter = 0;
      for (String[] ev : e.getValue()) {
        if (!writers.contains(ev[0])) {
          writers.add(ev[0]);
        }
        int writer = writers.indexOf(ev[0]);
        if (writer < newestWriter) { // e.g. a frozen node woke and wrote after its entity was recovered elsewhere
          problems.add(pid + ": incarnation " + (writer + 1) + " wrote again after incarnation "
              + (newestWriter + 1) + " (two live incarnations of one entity)");
        }
        newestWriter = Math.max(newestWriter, writer);
        history.append(String.format(" %s@%+.1fs/w%d", ev[1].substring(ev[1].lastIndexOf('$') + 1),
            (Long.parseLong(ev[3]) - killedAtMillis) / 1000.0, writers.indexOf(ev[0]) + 1));
        if (!ev[0].equals(firstWriter)) {
          firstOtherWrite = Math.min(firstOtherWrite, Long.parseLong(ev[3]));
        }
        String type = ev[1].substring(ev[1].lastIndexOf('$') + 1);
        JsonNode payload = JSON.readTree(ev[2]);
        String key = switch (type) {
          case "ModelRouted", "ModelAnswered", "AttemptFailed" ->
              type + " attempt " + payload.path("attemptNo").asInt();
          case "QueryAnswered", "QueryAbstained", "JobEnded", "JobAccepted", "QueryAccepted" -> type;
          case "StepStarted", "StepFinished" -> type + " " + payload.path("index").asInt();
          default -> null;
        };
        if ("ModelAnswered".equals(type)) {
          answered++;
        }
        if (key != null && !seen.add(key)) {
          problems.add(pid + ": " + key + " journaled twice");
        }
      }
      allHistories.put(pid, pid + ":" + history);
      if (firstOtherWrite != Long.MAX_VALUE) {
        if (!query) {
          resumedJobs.add(pid.substring(pid.indexOf('|') + 1));
        }
        resumed++;
        lastResume = Math.max(lastResume, firstOtherWrite - killedAtMillis);
        histories.add(pid + ":" + history);
      }
    }
    // The step queries of resumed jobs too, resumed or not: where a resumed job waited.
    allHistories.forEach((pid, h) -> {
      if (pid.startsWith("query|") && resumedJobs.contains(pid.substring(6, pid.indexOf("/step-")))
          && !histories.contains(h)) {
        histories.add(h);
      }
    });
    return new JournalAudit(jobs, queries, resumed, lastResume / 1000.0, answered, problems, histories);
  }

  private static String payload(byte[] bytes) throws IOException {
    if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
