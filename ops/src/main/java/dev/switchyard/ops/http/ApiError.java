package dev.switchyard.ops.http;

import java.time.Duration;

/**
 * A request the API answers with an error, in OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}}. The message never contains raw request content
 * beyond a short, control-character-free excerpt of an identifier (see {@link #excerpt}).
 *
 * @param param the request field at fault, null when none
 * @param retryAfter sent as {@code Retry-After} (whole seconds, rounded up) when not null
 */
public final class ApiError extends RuntimeException {
  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final Duration retryAfter;

  public ApiError(int status, String type, String message, String param, String code, Duration retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.retryAfter = retryAfter;
  }

  public static ApiError invalid(String param, String message) {
    return new ApiError(400, "invalid_request_error", message, param, "invalid_value", null);
  }

  public static ApiError missing(String param) {
    return new ApiError(400, "invalid_request_error", "missing required field '" + param + "'", param,
        "missing_required_parameter", null);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String param() {
    return param;
  }

  public String code() {
    return code;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * A client-supplied identifier made safe to quote in a message: printable characters only, at most 64 of
   * them. JSON escaping happens when the error is rendered.
   */
  public static String excerpt(String raw) {
    if (raw == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder();
    raw.codePoints().limit(64).forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return raw.codePointCount(0, raw.length()) > 64 ? out + "..." : out.toString();
  }

  /** Like {@link #excerpt} with room for a whole sentence, for messages that come from the engine. */
  public static String excerptLong(String raw) {
    if (raw == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    raw.codePoints().limit(300).forEach(cp -> out.appendCodePoint(Character.isISOControl(cp) ? ' ' : cp));
    return out.toString();
  }
}
