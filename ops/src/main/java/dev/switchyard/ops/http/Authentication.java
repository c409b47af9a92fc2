package dev.switchyard.ops.http;

import dev.switchyard.actors.fleet.TenantSpec;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who may call the API ({@code switchyard.auth}, see {@link ApiKeys}): with keys configured, a tenant's
 * {@code Authorization: Bearer <key>} for the tenant routes ({@code /v1/*}: 401 without it, with a malformed one or
 * an unknown key; 403 for an admin key) and an admin key for {@code /admin/*} (401 without one, 403 for a tenant's
 * key). Without keys every request passes as {@link Caller#ANONYMOUS}. The tenant routes read their caller with
 * {@link #caller}; a route reached without this guard has no caller and fails (500), never runs as anyone.
 */
final class Authentication extends AllDirectives {
  private static final AttributeKey<Caller> CALLER = AttributeKey.create("switchyard-caller", Caller.class);

  /**
   * Whom a tenant route serves: {@code tenant} null without keys (then every model and pipeline is allowed and
   * every query and job is the caller's).
   */
  record Caller(String tenant, TenantSpec spec) {
    static final Caller ANONYMOUS = new Caller(null, null);

    /** 403 {@code model_not_allowed} unless the tenant's allow-list has {@code modelOrPipeline}. */
    void requireAllowed(String modelOrPipeline) {
      if (spec != null && !spec.allows(modelOrPipeline)) {
        throw new ApiError(403, "permission_error", "tenant '" + tenant + "' may not use '"
            + ApiError.excerpt(modelOrPipeline) + "' (its allow-list, switchyard.tenants." + tenant
            + ".models, names " + String.join(", ", spec.models()) + ")", "model", "model_not_allowed", null);
      }
    }

    /** Whether the caller may use {@code modelOrPipeline} (what {@code GET /v1/models} lists). */
    boolean allows(String modelOrPipeline) {
      return spec == null || spec.allows(modelOrPipeline);
    }

    /** Whether a query or job of {@code ownerTenant} is the caller's (it sees, cancels and rates only its own). */
    boolean owns(String ownerTenant) {
      return Objects.equals(tenant, ownerTenant);
    }
  }

  private final ApiKeys keys;
  private final ErrorMapping errors;

  Authentication(ApiKeys keys, ErrorMapping errors) {
    this.keys = keys;
    this.errors = errors;
  }

  /** {@code inner} for a tenant's key (or anyone, without keys), with the caller for {@link #caller}. */
  Route tenant(Supplier<Route> inner) {
    Route route = inner.get();
    return extractRequest(request -> {
      if (!keys.enabled()) {
        return withCaller(Caller.ANONYMOUS, route);
      }
      Optional<ApiKeys.Holder> holder = holder(request);
      if (holder.isEmpty()) {
        return complete(errors.response(unauthorized(request)));
      }
      if (holder.get() instanceof ApiKeys.TenantHolder t) {
        return withCaller(new Caller(t.tenant().name(), t.tenant()), route);
      }
      return complete(errors.response(new ApiError(403, "permission_error", "an admin key is for the /admin routes;"
          + " the /v1 routes take a tenant's key", null, "tenant_key_required", null)));
    });
  }

  /** {@code inner} for an admin key (or anyone, without keys). */
  Route admin(Supplier<Route> inner) {
    Route route = inner.get();
    return extractRequest(request -> {
      if (!keys.enabled()) {
        return route;
      }
      Optional<ApiKeys.Holder> holder = holder(request);
      if (holder.isEmpty()) {
        return complete(errors.response(unauthorized(request)));
      }
      if (holder.get() instanceof ApiKeys.AdminHolder) {
        return route;
      }
      return complete(errors.response(new ApiError(403, "permission_error", "the /admin routes take an admin key"
          + " (switchyard.auth.admin-keys), not a tenant's", null, "admin_key_required", null)));
    });
  }

  /** The caller {@link #tenant} let through. */
  Route caller(Function<Caller, Route> inner) {
    return extractRequest(request -> inner.apply(request.getAttribute(CALLER).orElseThrow(() ->
        new IllegalStateException("a tenant route is reached without Authentication.tenant around it"))));
  }

  private Route withCaller(Caller caller, Route route) {
    return mapRequest(r -> r.addAttribute(CALLER, caller), () -> route);
  }

  private Optional<ApiKeys.Holder> holder(HttpRequest request) {
    return bearer(request).flatMap(keys::holder);
  }

  /**
   * The key of {@code Authorization: Bearer <key>}, read from the header's raw value (pekko-http keeps a value it
   * cannot parse as a raw header): empty unless the scheme is Bearer and one token follows.
   */
  private static Optional<String> bearer(HttpRequest request) {
    Optional<HttpHeader> header = request.getHeader("Authorization");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().value().trim();
    int space = value.indexOf(' ');
    if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
      return Optional.empty();
    }
    String token = value.substring(space + 1).trim();
    if (token.isEmpty() || token.chars().anyMatch(c -> c <= 0x20 || c >= 0x7f)) {
      return Optional.empty();
    }
    return Optional.of(token);
  }

  /** 401 naming what was wrong, never quoting what was sent. */
  private static ApiError unauthorized(HttpRequest request) {
    Optional<HttpHeader> header = request.getHeader("Authorization");
    String message;
    String code;
    if (header.isEmpty()) {
      message = "this API needs an API key: send Authorization: Bearer <key>";
      code = "missing_api_key";
    } else if (bearer(request).isEmpty()) {
      message = "the Authorization header must be Bearer <key> (one key, no spaces)";
      code = "invalid_authorization_header";
    } else {
      message = "the API key is not valid";
      code = "invalid_api_key";
    }
    return new ApiError(401, "authentication_error", message, null, code, null);
  }
}
