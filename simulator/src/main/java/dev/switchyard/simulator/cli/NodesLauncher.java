package dev.switchyard.simulator.cli;

import com.typesafe.config.Config;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Starts the engine on several local JVMs for {@code simulate --nodes N}: real {@code switchyard serve} nodes of
 * one cluster, each serving the simulated fleet of the same recording, and sends queries through their HTTP API.
 * The application (ops, which has the cluster and the HTTP client) provides it as a service
 * ({@code META-INF/services}); this module only plays the workload and reports.
 */
public interface NodesLauncher {
  /**
   * @param nodes how many serve JVMs (2 or more)
   * @param data the recorded outcomes file every node replays ({@code serve --data})
   * @param dir where the nodes' logs, state and PostgreSQL live
   * @param latencyScale the nodes' {@code serve --latency-scale}, the simulation's
   * @throws IllegalStateException when the cluster does not come up (the message says which node and why)
   */
  Nodes start(int nodes, Path data, Path dir, double latencyScale, Config config);

  /** A running cluster; closing it stops every node still running (and its PostgreSQL). */
  interface Nodes extends AutoCloseable {
    /** Answers a query through some live node's HTTP API, and through another if that node fails. */
    CompletionStage<QueryResult> answer(Query query, String pipeline);

    /** The pipelines the nodes serve (their {@code /v1/models}). */
    List<String> pipelines();

    /** SIGKILL of node {@code k} (1-based): it gets no chance to finish or hand over anything. */
    void kill(int k);

    /** What each node was sent and answered so far, in node order. */
    List<NodeCount> counts();

    @Override
    void close();
  }

  /**
   * @param sent queries sent to the node (first attempts and re-sends)
   * @param answered answered by it
   * @param failed sent to it and not answered by it (connection lost, 5xx): each then re-sent to another node
   * @param resentHere re-sends it took over from a node that failed them
   */
  record NodeCount(String node, int sent, int answered, int failed, int resentHere, boolean killed) {}

  /** A query no node answered: {@code kind} is what the report counts it as, e.g. {@code HTTP_429}, {@code NO_LIVE_NODE}. */
  final class Failure extends RuntimeException {
    private final String kind;

    public Failure(String kind, String message) {
      super(message);
      this.kind = kind;
    }

    public String kind() {
      return kind;
    }
  }
}
