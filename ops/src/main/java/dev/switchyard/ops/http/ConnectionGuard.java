package dev.switchyard.ops.http;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.IncomingConnection;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ResponseEntity;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts the server's TCP connections so that slow or greedy clients cannot exhaust it. Pekko HTTP times a
 * connection out only when it is silent ({@code idle-timeout}): a client sending one byte a second held a
 * connection for as long as it liked, and 1,100 of them made {@code /health} unreachable. Here:
 * <ul>
 *   <li>a connection whose next request head has not fully arrived {@code header-timeout} after it opened (or
 *       after its previous response was complete) is closed; a request being answered or a response being
 *       streamed is never cut by it;</li>
 *   <li>at most {@code max-connections-per-client} connections per client address, and
 *       {@code pekko.http.server.max-connections} in all, are served at once: one more answers its first request
 *       with {@code refusal} (a 503 JSON error with {@code Connection: close}) and is closed, or is closed
 *       unanswered if no request head arrives within {@code refusal-grace}; it counts against no bound.</li>
 * </ul>
 */
public final class ConnectionGuard {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final ActorSystem<?> system;
  private final Flow<HttpRequest, HttpResponse, NotUsed> handler;
  private final HttpResponse refusal;
  private final Duration refusalGrace;
  private final Duration headerTimeout;
  private final int maxPerClient;
  private final int maxConnections;
  private final Map<InetAddress, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final AtomicInteger open = new AtomicInteger();
  /** What closes each connection being served. */
  private final Set<CompletableFuture<Done>> connections = ConcurrentHashMap.newKeySet();
  /** Completed once no connection is open, after a {@link #closeAll}. */
  private final AtomicReference<CompletableFuture<Done>> allClosed = new AtomicReference<>(new CompletableFuture<>());
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();

  public ConnectionGuard(ActorSystem<?> system, Flow<HttpRequest, HttpResponse, NotUsed> handler,
      HttpResponse refusal, Duration refusalGrace, Duration headerTimeout, int maxPerClient, int maxConnections) {
    this.system = system;
    this.handler = handler;
    this.refusal = refusal;
    this.refusalGrace = refusalGrace;
    this.headerTimeout = headerTimeout;
    this.maxPerClient = maxPerClient;
    this.maxConnections = maxConnections;
  }

  /** Serves {@code connection}, or closes it at once when its client (or the server) has too many open. */
  public void accept(IncomingConnection connection, Materializer mat) {
    InetAddress client = connection.remoteAddress().getAddress();
    AtomicInteger mine = perClient.computeIfAbsent(client, a -> new AtomicInteger());
    if (open.incrementAndGet() > maxConnections | mine.incrementAndGet() > maxPerClient) {
      release(client, mine);
      if (refused.incrementAndGet() % 1000 == 1) {
        LOG.warn("refused a connection from {}: {} open from it (max {}), {} in all (max {}); {} refused so far",
            client.getHostAddress(), mine.get(), maxPerClient, open.get(), maxConnections, refused.get());
      }
      // closed once refused, or unanswered after the grace; a request arriving as the grace ends is refused too
      CompletableFuture<Done> close = new CompletableFuture<>();
      connection.handleWith(BidiFlow.fromGraph(new CloseAfterAnswer(close))
          .join(Flow.of(HttpRequest.class).map(request -> {
            request.discardEntityBytes(mat);
            close.complete(Done.getInstance());
            return refusal;
          })), mat);
      system.scheduler().scheduleOnce(refusalGrace, () -> close.complete(Done.getInstance()),
          system.executionContext());
      return;
    }
    CompletableFuture<Done> close = new CompletableFuture<>();
    connections.add(close);
    HeadDeadline deadline = new HeadDeadline(close);
    Flow<HttpRequest, HttpResponse, NotUsed> answering = Flow.of(HttpRequest.class)
        .map(request -> {
          deadline.requestArrived();
          return request;
        })
        .via(handler)
        .map(deadline::whenComplete);
    Flow<HttpRequest, HttpResponse, NotUsed> guarded = BidiFlow.fromGraph(new CloseAfterAnswer(close))
        .join(answering)
        .watchTermination((notUsed, done) -> {
          done.whenComplete((d, failure) -> {
            connections.remove(close);
            if (connections.isEmpty()) {
              allClosed.get().complete(Done.getInstance());
            }
            release(client, mine);
          });
          return notUsed;
        });
    connection.handleWith(guarded, mat);
    deadline.arm();
  }

  /**
   * Closes every connection still open (idle keep-alive ones, once a shutdown has drained the requests); one with
   * a request still being answered closes after that answer ({@link CloseAfterAnswer}). Completes once all have
   * closed, or {@code within} at the latest, so that a shutdown does not stop the actor system (and with it the
   * connections' streams) under answers still being written.
   */
  public CompletionStage<Done> closeAll(Duration within) {
    CompletableFuture<Done> closed = new CompletableFuture<>();
    allClosed.set(closed);
    connections.forEach(close -> close.complete(Done.getInstance()));
    if (connections.isEmpty()) {
      closed.complete(Done.getInstance());
    }
    system.scheduler().scheduleOnce(within, () -> {
      if (closed.complete(Done.getInstance())) {
        LOG.warn("{} connections still open {} after they were told to close; they are cut", connections.size(),
            within);
      }
    }, system.executionContext());
    return closed;
  }

  long refused() {
    return refused.get();
  }

  long timedOut() {
    return timedOut.get();
  }

  int open() {
    return open.get();
  }

  private void release(InetAddress client, AtomicInteger mine) {
    open.decrementAndGet();
    if (mine.decrementAndGet() <= 0) {
      perClient.remove(client, mine);
    }
  }

  /**
   * The header deadline of one connection: armed while the connection waits for a request head, disarmed while a
   * request is answered (until its response's last byte), armed again after. A generation number makes a timer
   * of an earlier wait harmless.
   */
  private final class HeadDeadline {
    private final CompletableFuture<Done> close;
    private final AtomicLong generation = new AtomicLong();

    HeadDeadline(CompletableFuture<Done> close) {
      this.close = close;
    }

    void arm() {
      long armed = generation.incrementAndGet();
      system.scheduler().scheduleOnce(headerTimeout, () -> {
        if (generation.get() == armed) {
          timedOut.incrementAndGet();
          close.complete(Done.getInstance());
        }
      }, system.executionContext());
    }

    void requestArrived() {
      generation.incrementAndGet();
    }

    /** Re-arms once {@code response} has been written out in full. */
    HttpResponse whenComplete(HttpResponse response) {
      ResponseEntity entity = response.entity();
      if (!entity.isChunked() && !entity.isDefault()) {
        arm(); // strict: written at once
        return response;
      }
      Source<ByteString, Object> bytes = entity.getDataBytes().watchTermination((m, done) -> {
        done.whenComplete((d, failure) -> arm());
        return m;
      });
      return response.withEntity(entity.isChunked()
          ? HttpEntities.createChunked(entity.getContentType(), bytes)
          : HttpEntities.create(entity.getContentType(), entity.getContentLengthOption().getAsLong(), bytes));
    }
  }
}
