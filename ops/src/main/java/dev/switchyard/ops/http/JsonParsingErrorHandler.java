package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * The API's JSON error shape for requests too malformed to reach the routes (Pekko HTTP answers them before
 * routing: 400 unparsable or an unsupported transfer encoding, 414 URI too long, 431 headers too large, 501
 * unknown method, 505 HTTP version, 413 declared body too large), named by
 * {@code pekko.http.server.parsing.error-handler} in the ops reference.conf. Only the parser's one-line summary is shown, never the request's bytes.
 */
public final class JsonParsingErrorHandler extends ParsingErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("refused an unparsable request: {} {}", status.intValue(), info.summary());
    ObjectNode error = JSON.createObjectNode();
    ObjectNode body = error.putObject("error");
    body.put("message", ApiError.excerptLong(status.reason() + ": " + info.summary()));
    body.put("type", "invalid_request_error");
    body.putNull("param");
    body.put("code", code(status.intValue()));
    try {
      return HttpResponse.create().withStatus(status.intValue())
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(error)));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot render an error object", e);
    }
  }

  static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 413 -> "request_too_large";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 501 -> "not_implemented";
      case 505 -> "http_version_not_supported";
      default -> "protocol_error";
    };
  }
}
