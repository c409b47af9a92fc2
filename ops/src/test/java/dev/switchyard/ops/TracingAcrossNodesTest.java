package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in one JVM (Artery on loopback), each with its own API and its own in-memory exporter, over one
 * openai model whose pool lives on one of them: a request to the other node has its SERVER span there and its
 * upstream attempt's CLIENT span where the pool runs, a child of it in the same trace, the trace context having
 * crossed the wire with the query's call.
 */
class TracingAcrossNodesTest {
  private static final int REQUESTS = 6;

  @TempDir
  static Path dir;

  private static final MockUpstreams MOCKS = new MockUpstreams();
  private static TracedNode a;
  private static TracedNode b;

  @BeforeAll
  static void start() throws Exception {
    String mock = MOCKS.start("acme", TracingEndToEndTest::answer);
    Path file = TracingEndToEndTest.fleetFile(dir, mock);
    a = TracedNode.start(file, dir.resolve("a"), Map.of());
    b = TracedNode.start(file, dir.resolve("b"), Map.of("switchyard.cluster.self-join", "off"));
    Cluster.get(b.system).manager().tell(Join.create(Cluster.get(a.system).selfMember().address()));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (upMembers(a) < 2 || upMembers(b) < 2) {
      assertTrue(System.nanoTime() < until, "the two nodes did not form a cluster within 60 s");
      Thread.sleep(100);
    }
  }

  private static long upMembers(TracedNode node) {
    return StreamSupport.stream(Cluster.get(node.system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up()).count();
  }

  @AfterAll
  static void stop() throws Exception {
    for (TracedNode node : new TracedNode[] {b, a}) {
      if (node != null) {
        node.close();
      }
    }
    MOCKS.close();
  }

  /** A span and the node that made it. */
  private record Made(String node, SpanData span) {}

  @Test
  void anAttemptRunOnTheOtherNodeIsAChildOfTheRequestSpanInTheSameTrace() throws Exception {
    for (int i = 0; i < REQUESTS; i++) {
      HttpResponse<String> response = TracingEndToEndTest.chat((i % 2 == 0 ? a : b).base, false, Map.of());
      assertEquals(200, response.statusCode(), response.body());
    }
    List<Made> spans = spans(REQUESTS);
    List<Made> servers = spans.stream().filter(m -> m.span().getKind() == SpanKind.SERVER).toList();
    List<Made> attempts = spans.stream().filter(m -> m.span().getKind() == SpanKind.CLIENT).toList();
    assertEquals(REQUESTS, servers.size(), spans.toString());
    assertEquals(REQUESTS, attempts.size(), spans.toString());
    int crossed = 0;
    for (Made server : servers) {
      List<Made> children = attempts.stream()
          .filter(c -> c.span().getParentSpanId().equals(server.span().getSpanId())).toList();
      assertEquals(1, children.size(), "attempts of " + server.span() + ": " + attempts);
      Made attempt = children.get(0);
      assertEquals(server.span().getTraceId(), attempt.span().getTraceId());
      if (!attempt.node().equals(server.node())) {
        crossed++;
      }
    }
    // the pool is on one node and half the requests went to each: those to the other node crossed
    assertEquals(REQUESTS / 2, crossed, "requests whose attempt ran on the other node");
    TracingEndToEndTest.assertNoPromptIn(spans.stream().map(Made::span).toList());
  }

  /** Every span both nodes made, once {@code requests} SERVER and CLIENT spans each have ended. */
  private static List<Made> spans(int requests) throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    List<Made> all = List.of();
    while (System.nanoTime() < until) {
      all = new ArrayList<>();
      for (SpanData s : a.spans.getFinishedSpanItems()) {
        all.add(new Made("a", s));
      }
      for (SpanData s : b.spans.getFinishedSpanItems()) {
        all.add(new Made("b", s));
      }
      long ended = all.stream().filter(m -> m.span().getKind() == SpanKind.SERVER
          || m.span().getKind() == SpanKind.CLIENT).count();
      if (ended >= 2L * requests) {
        return all;
      }
      Thread.sleep(50);
    }
    return all;
  }
}
