package dev.switchyard.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchyard.actors.NodeConfig;
import dev.switchyard.ops.http.ChatCompletionRequest;
import dev.switchyard.ops.http.HttpSettings;
import dev.switchyard.ops.http.OpenAiJson;
import dev.switchyard.protocol.Query;
import dev.switchyard.protocol.QueryResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The HTTP front end's own work on a non-streamed chat completion, without the network and the engine:
 * {@link #parseRequest} is what {@code ChatCompletionsRoutes} does with the body bytes before it asks the engine
 * (parse and validate with the node's JSON limits, then build the engine's {@link Query}); {@link #renderCompletion}
 * is what it does with the engine's {@link QueryResult} (the chat.completion object with its switchyard extension,
 * written to bytes, as {@code HttpReplies.json} sends it). Mappers are built as {@code ApiRoutes} builds them; the
 * prompt and the answer come from a recorded query ({@link OneQueryPath}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Djava.util.concurrent.ForkJoinPool.common.parallelism=4"})
public class ChatJsonBenchmark {
  private HttpSettings settings;
  private ObjectMapper requestMapper;
  private OpenAiJson json;
  private byte[] body;
  private QueryResult result;
  private long created;

  @Setup(Level.Trial)
  public void build() {
    settings = HttpSettings.fromConfig(NodeConfig.load());
    requestMapper = ChatCompletionRequest.mapper(settings);
    json = new OpenAiJson(new ObjectMapper());
    OneQueryPath path = OneQueryPath.fromRecorded(RecordedData.dataset());
    result = path.result();
    created = 1_767_225_600L;
    // a typical client body: a system and a user message, a token limit, a temperature, a cost cap
    ObjectMapper plain = new ObjectMapper();
    ObjectNode request = plain.createObjectNode();
    request.put("model", OneQueryPath.PIPELINE);
    request.putArray("messages")
        .add(plain.createObjectNode().put("role", "system").put("content", "You are a careful assistant. Answer"
            + " with the letter of the correct option, then one sentence of justification."))
        .add(plain.createObjectNode().put("role", "user").put("content", path.query().text()));
    request.put("max_tokens", 512);
    request.put("temperature", 0.2);
    request.putObject("switchyard").put("max_cost_usd", 0.05).put("task", path.query().task());
    body = request.toString().getBytes(StandardCharsets.UTF_8);
    System.out.println("request body: " + body.length + " bytes; completion: "
        + json.bytes(json.completion("chatcmpl-1", created, OneQueryPath.PIPELINE, result)).length + " bytes");
  }

  @Benchmark
  public Query parseRequest() {
    ChatCompletionRequest req = ChatCompletionRequest.parse(body, requestMapper, settings);
    return new Query("chatcmpl-1", req.messages(), req.task(), req.budget(), req.maxTokens(), req.params());
  }

  @Benchmark
  public byte[] renderCompletion() {
    return json.bytes(json.completion("chatcmpl-1", created, OneQueryPath.PIPELINE, result));
  }
}
