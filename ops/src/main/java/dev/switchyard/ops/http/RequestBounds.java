package dev.switchyard.ops.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * The bounds of every numeric request field ({@code switchyard.http.max-rounds-limit}, {@code max-cost-usd-limit},
 * {@code max-deadline}, {@code max-job-deadline}) and the one way the routes read such a field: a value beyond
 * its bound, NaN, infinite, negative or (for an integer field) fractional is a 400 naming the field, so no
 * request number reaches the engine where a conversion could overflow (e.g. a deadline in {@code Duration}
 * nanoseconds or a scheduler delay).
 *
 * @param maxRounds most model calls a request may budget ({@code switchyard.max_rounds}, {@code budget.max_rounds})
 * @param maxCostUsd largest cost budget in USD ({@code switchyard.max_cost_usd}, {@code budget.max_cost_usd})
 * @param maxDeadline longest chat deadline ({@code switchyard.deadline_ms})
 * @param maxJobDeadline longest job deadline ({@code budget.deadline_seconds})
 */
public record RequestBounds(int maxRounds, double maxCostUsd, Duration maxDeadline, Duration maxJobDeadline) {
  public RequestBounds {
    if (maxRounds <= 0) {
      throw new IllegalArgumentException("switchyard.http.max-rounds-limit must be positive, got " + maxRounds);
    }
    if (!(maxCostUsd > 0) || Double.isInfinite(maxCostUsd)) {
      throw new IllegalArgumentException("switchyard.http.max-cost-usd-limit must be a positive number, got "
          + maxCostUsd);
    }
    if (maxDeadline.isNegative() || maxDeadline.isZero()) {
      throw new IllegalArgumentException("switchyard.http.max-deadline must be positive, got " + maxDeadline);
    }
    if (maxJobDeadline.isNegative() || maxJobDeadline.isZero()) {
      throw new IllegalArgumentException("switchyard.http.max-job-deadline must be positive, got " + maxJobDeadline);
    }
  }

  /** Reads the bounds from {@code switchyard.http}. */
  static RequestBounds from(Config http) {
    return new RequestBounds(http.getInt("max-rounds-limit"), http.getDouble("max-cost-usd-limit"),
        http.getDuration("max-deadline"), http.getDuration("max-job-deadline"));
  }

  /**
   * An optional integer field of {@code obj} (absent or null: {@code fallback}) in {@code min..max}.
   *
   * @param param the field's path in the request, named in the error (e.g. {@code switchyard.max_rounds})
   */
  static long integer(JsonNode obj, String field, String param, long min, long max, long fallback) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return fallback;
    }
    String expected = "'" + param + "' must be an integer from " + min + " to " + max;
    if (!n.isIntegralNumber()) {
      // 3.0 is still a number with a fraction part in JSON terms; say so rather than "must be an integer"
      throw ApiError.invalid(param, n.isNumber() ? expected + ", got a fractional or exponent number" : expected);
    }
    if (!n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
      throw ApiError.invalid(param, expected);
    }
    return n.longValue();
  }

  /** An optional finite number field of {@code obj} (absent or null: 0) in {@code 0..max}. */
  static double nonNegative(JsonNode obj, String field, String param, double max, String meaning) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    String expected = "'" + param + "' must be a number from 0 to " + plain(max) + meaning;
    if (!n.isNumber()) {
      throw ApiError.invalid(param, expected);
    }
    double value = n.asDouble();
    if (!Double.isFinite(value) || value < 0 || value > max) {
      throw ApiError.invalid(param, expected);
    }
    return value;
  }

  static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }
}
