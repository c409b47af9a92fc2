package dev.switchyard.ops.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.switchyard.actors.EngineRejection;
import dev.switchyard.actors.EngineRejection.Reason;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.junit.jupiter.api.Test;

/** The admin API's codes, read through the API's one error mapping, beside the codes the rest of the API uses. */
class ErrorMappingTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final ErrorMapping errors = new ErrorMapping(HttpSettings.fromConfig(ConfigFactory.load()), () -> "ref-1",
      new HttpReplies(new OpenAiJson(MAPPER)));

  private static JsonNode error(HttpResponse response) throws Exception {
    return MAPPER.readTree(((HttpEntity.Strict) response.entity()).getData().utf8String()).get("error");
  }

  private static void assertError(HttpResponse response, int status, String code, String param, String message)
      throws Exception {
    JsonNode e = error(response);
    assertEquals(status, response.status().intValue());
    assertEquals("invalid_request_error", e.get("type").asText());
    assertEquals(code, e.get("code").asText());
    assertEquals(param, e.get("param").isNull() ? null : e.get("param").asText());
    assertEquals(message, e.get("message").asText());
  }

  @Test
  void anUnknownPipelineIsPipelineNotFoundWithoutAParam() throws Exception {
    assertError(errors.adminResponse(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline nope", null)), 404,
        "pipeline_not_found", null, "no pipeline nope");
  }

  @Test
  void anInvalidArtifactNamesTheFieldAtFault() throws Exception {
    assertError(errors.adminResponse(new CompletionException(new EngineRejection(Reason.INVALID,
        "pipeline p: models differ", null, "models"))), 400, "invalid_artifact", "models", "pipeline p: models differ");
  }

  @Test
  void noShadowToRemoveIsShadowNotFound() throws Exception {
    assertError(errors.adminResponse(new EngineRejection(Reason.NOT_FOUND, "pipeline p has no shadow installed",
        null)), 404, "shadow_not_found", null, "pipeline p has no shadow installed");
  }

  @Test
  void aConflictIsNoShadow() throws Exception {
    assertError(errors.adminResponse(new EngineRejection(Reason.CONFLICT, "nothing to promote", null)), 409,
        "no_shadow", null, "nothing to promote");
  }

  @Test
  void otherRefusalsAnswerAsTheRestOfTheApi() throws Exception {
    HttpResponse response = errors.adminResponse(new EngineRejection(Reason.TIMEOUT, "promotion of p did not finish",
        null));
    assertEquals(504, response.status().intValue());
    assertEquals("timeout_error", error(response).get("type").asText());
    assertEquals("timeout", error(response).get("code").asText());
    HttpResponse unavailable = errors.adminResponse(new EngineRejection(Reason.UNAVAILABLE, "down",
        Duration.ofSeconds(3)));
    assertEquals(503, unavailable.status().intValue());
    assertEquals("3", unavailable.getHeader("Retry-After").orElseThrow().value());
  }

  @Test
  void theAdminCodesStayInTheAdminApi() throws Exception {
    // elsewhere an unknown pipeline is the OpenAI model that does not exist, and a conflict a reused key
    assertError(errors.response(new EngineRejection(Reason.UNKNOWN_PIPELINE, "no pipeline nope", null)), 404,
        "model_not_found", "model", "no pipeline nope");
    assertError(errors.response(new EngineRejection(Reason.CONFLICT, "key reused", null)), 422,
        "idempotency_key_reused", "Idempotency-Key", "key reused");
  }

  @Test
  void anUnknownAdminPathIsNotFoundNamingTheAdminRoutes() throws Exception {
    HttpResponse response = errors.response(errors.noSuchAdminRoute());
    assertEquals(404, response.status().intValue());
    assertEquals("not_found", error(response).get("code").asText());
    assertTrue(error(response).get("message").asText().contains("POST /admin/pipelines/{name}/promote"));
  }
}
