package dev.switchyard.ops.http;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.Connection;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * Closes one server connection when {@code close} completes, but never under a request being answered: with
 * none in flight it closes at once; otherwise it takes no further request, sends the answers still due (with
 * {@code Connection: close}) and closes after the last.
 *
 * <p>Why not a kill switch in front of the handler, as before: a kill switch also cancels the request side, and
 * Pekko HTTP's server takes a handler that stops taking requests while one is unanswered as a handler that lost
 * it ({@code One2OneBidiFlow.OutputTruncationException}) and answers the client 500 itself, dropping the answer
 * the handler was about to give. A shutdown's drain answers what is in flight (503 {@code shutting_down}) an
 * instant before it closes the connections, and a header timeout can fire as a request arrives, so clients of a
 * node going away got 500s (PartitionIT's one-way partition, docs/BENCHMARKS.md "Partitions").
 *
 * <pre>
 *   fromNet  ~&gt; requests  ~&gt; toHandler
 *   toNet    &lt;~ responses &lt;~ fromHandler
 * </pre>
 */
final class CloseAfterAnswer extends GraphStage<BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse>> {
  private final Inlet<HttpRequest> fromNet = Inlet.create("CloseAfterAnswer.fromNet");
  private final Outlet<HttpRequest> toHandler = Outlet.create("CloseAfterAnswer.toHandler");
  private final Inlet<HttpResponse> fromHandler = Inlet.create("CloseAfterAnswer.fromHandler");
  private final Outlet<HttpResponse> toNet = Outlet.create("CloseAfterAnswer.toNet");
  private final BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape =
      BidiShape.of(fromNet, toHandler, fromHandler, toNet);
  private final CompletionStage<Done> close;

  /** @param close completed (from any thread) when the connection is to be closed; the stage serves one connection */
  CloseAfterAnswer(CompletionStage<Done> close) {
    this.close = close;
  }

  @Override
  public BidiShape<HttpRequest, HttpRequest, HttpResponse, HttpResponse> shape() {
    return shape;
  }

  @Override
  public Attributes initialAttributes() {
    return Attributes.name("CloseAfterAnswer");
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private int unanswered;
      private boolean closing;

      {
        setHandler(fromNet, new AbstractInHandler() {
          @Override
          public void onPush() {
            HttpRequest request = grab(fromNet);
            if (isClosed(toHandler)) {
              request.discardEntityBytes(materializer());
              // pulled before the close and come as it closed: no handler left to answer it (Pekko's server answers
              // it 500); only a request racing the close of an idle connection can be here, none being answered
              return;
            }
            unanswered++;
            push(toHandler, request);
          }

          @Override
          public void onUpstreamFinish() {
            complete(toHandler);
          }
        });
        setHandler(toHandler, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!closing) {
              pull(fromNet);
            }
          }
        });
        setHandler(fromHandler, new AbstractInHandler() {
          @Override
          public void onPush() {
            HttpResponse response = grab(fromHandler);
            unanswered--;
            if (!closing) {
              push(toNet, response);
              return;
            }
            push(toNet, response.addHeader(Connection.create("close")));
            if (unanswered == 0) {
              finish();
            }
          }
        });
        setHandler(toNet, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromHandler);
          }
        });
      }

      /**
       * Ends both ways out and leaves the connection's side to end the rest: cancelling the requests here (as
       * completeStage would) made Pekko's server drop the answer just pushed and answer 500 in its place.
       */
      private void finish() {
        complete(toNet);
        complete(toHandler);
      }

      @Override
      public void preStart() {
        AsyncCallback<Done> closeNow = createAsyncCallback(done -> {
          closing = true;
          if (unanswered == 0) {
            finish();
          }
        });
        close.thenAccept(closeNow::invoke);
      }
    };
  }
}
