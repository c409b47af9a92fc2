package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The shapes every route answers in: a JSON body, or a server-sent event stream that proxies must not buffer.
 * SSE frames are rendered by hand ({@code data: <json>\n\n}) because pekko-http's SSE support omits the space
 * after {@code data:}.
 */
final class HttpReplies {
  /** A comment frame that keeps idle proxies from closing a quiet stream. */
  static final ByteString KEEP_ALIVE = ByteString.fromString(": keep-alive\n\n");

  private final OpenAiJson json;

  HttpReplies(OpenAiJson json) {
    this.json = json;
  }

  OpenAiJson json() {
    return json;
  }

  HttpResponse json(int status, ObjectNode body, List<HttpHeader> headers) {
    return HttpResponse.create()
        .withStatus(status)
        .addHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json.bytes(body)));
  }

  /** {@code {"status": <status>}}, what health, readiness and feedback answer with. */
  ObjectNode status(String status) {
    ObjectNode node = json.mapper().createObjectNode();
    node.put("status", status);
    return node;
  }

  /** A 200 {@code text/event-stream} of {@code frames}, marked not to be cached or buffered by a proxy. */
  static HttpResponse eventStream(Source<ByteString, NotUsed> frames) {
    return HttpResponse.create()
        .withStatus(200)
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
        .withEntity(HttpEntities.createChunked(MediaTypes.TEXT_EVENT_STREAM.toContentType(), frames));
  }

  /** {@code Retry-After} in whole seconds, rounded up and at least 1 (0 would invite an immediate retry storm). */
  static HttpHeader retryAfter(Duration d) {
    long ms = Math.max(0, d.toMillis());
    return RawHeader.create("Retry-After", Long.toString(Math.max(1, (ms + 999) / 1000)));
  }
}
