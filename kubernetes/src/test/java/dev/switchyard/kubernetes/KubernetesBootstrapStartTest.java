package dev.switchyard.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.switchyard.actors.journal.LocalPostgres;
import dev.switchyard.ops.ServeProcess;
import dev.switchyard.ops.TinyDataset;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * {@code serve --profile kubernetes} for real on this module's class path (the image's): a node on a real
 * PostgreSQL finds itself through the Kubernetes API, forms a one-node cluster by cluster bootstrap and answers
 * {@code /ready} 200. The Kubernetes API is a test double on loopback (HTTPS with its own CA, as a pod sees the
 * API server) that lists one pod: this node, as the StatefulSet's pod template describes it.
 */
class KubernetesBootstrapStartTest {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final String NAMESPACE = "switchyard-test";
  private static final String TOKEN = "service-account-token-of-the-test";

  record PodsRequest(String path, String labelSelector, String authorization) {}

  @Test
  void aNodeFindsItselfThroughTheKubernetesApiFormsTheClusterByBootstrapAndIsReady(@TempDir Path dir)
      throws Exception {
    int managementPort = ServeProcess.freePort();
    int remotingPort = ServeProcess.freePort();
    String podList = podListOfThisNode(managementPort);

    Path keyStore = dir.resolve("api-server.p12");
    Path caCertificate = dir.resolve("ca.crt");
    selfSignedCertificateFor127001(keyStore, caCertificate);
    Path token = Files.writeString(dir.resolve("token"), TOKEN);
    Path namespace = Files.writeString(dir.resolve("namespace"), NAMESPACE);

    List<PodsRequest> requests = new CopyOnWriteArrayList<>();
    HttpsServer api = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.setHttpsConfigurator(new HttpsConfigurator(serverContext(keyStore)));
    api.createContext("/api/v1/namespaces/", exchange -> {
      String query = exchange.getRequestURI().getRawQuery();
      String selector = query == null ? null
          : URLDecoder.decode(query.replaceFirst("^labelSelector=", ""), StandardCharsets.UTF_8);
      requests.add(new PodsRequest(exchange.getRequestURI().getPath(), selector,
          exchange.getRequestHeaders().getFirst("Authorization")));
      byte[] body = podList.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    api.start();
    try (LocalPostgres postgres = LocalPostgres.start(java.util.Map.of());
        ServeProcess node = ServeProcess.builder(dir.resolve("state"), TinyDataset.write(dir.resolve("data")),
                dir.resolve("serve.log"))
            .args("--profile", "kubernetes")
            .env("SWITCHYARD_PG_URL", postgres.url())
            .env("SWITCHYARD_PG_USER", LocalPostgres.USER)
            .env("SWITCHYARD_HOST", "127.0.0.1")
            .env("SWITCHYARD_PORT", Integer.toString(remotingPort))
            .env("SWITCHYARD_MANAGEMENT_PORT", Integer.toString(managementPort))
            // one pod, so one contact point (the manifests set the replica count, 3)
            .env("SWITCHYARD_REQUIRED_CONTACT_POINTS", "1")
            .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
            .env("KUBERNETES_SERVICE_PORT", Integer.toString(api.getAddress().getPort()))
            .property("pekko.discovery.kubernetes-api.api-ca-path", caCertificate)
            .property("pekko.discovery.kubernetes-api.api-token-path", token)
            .property("pekko.discovery.kubernetes-api.pod-namespace-path", namespace)
            .start()) {
      node.awaitReady(Duration.ofSeconds(120));

      JsonNode ready = JSON.readTree(get(node.base() + "/ready").body());
      assertEquals("Up", ready.path("node").path("status").asString(), ready.toString());
      assertEquals(1, ready.path("node").path("members_up").asInt(), ready.toString());
      String self = ready.path("node").path("address").asString();

      // the join was bootstrap's: its seed-nodes route on the management port lists this node, Up
      JsonNode seeds = JSON.readTree(get("http://127.0.0.1:" + managementPort + "/bootstrap/seed-nodes").body());
      assertEquals(self, seeds.path("selfNode").asString(), seeds.toString());
      assertEquals(self, seeds.path("seedNodes").path(0).path("node").asString(), seeds.toString());
      assertEquals("Up", seeds.path("seedNodes").path(0).path("status").asString(), seeds.toString());

      // it asked the Kubernetes API for the pods of its namespace with the StatefulSet's label, as its account
      assertFalse(requests.isEmpty(), "the Kubernetes API was never asked");
      assertEquals(new PodsRequest("/api/v1/namespaces/" + NAMESPACE + "/pods", "app.kubernetes.io/name=switchyard",
          "Bearer " + TOKEN), requests.get(0));
      String log = node.output();
      assertTrue(log.contains("switchyard serve: joining by cluster bootstrap (kubernetes-api discovery of service"
          + " switchyard, 1 contact points needed); Pekko Management on 127.0.0.1:" + managementPort), log);
    } finally {
      api.stop(0);
    }
  }

  /**
   * The pod list the API server would give: the StatefulSet's first pod, running at 127.0.0.1, as JSON built from
   * the manifest's own pod template (metadata labels, containers and their named ports).
   */
  private static String podListOfThisNode(int managementPort) throws Exception {
    JsonNode statefulSet = YAMLMapper.builder().build()
        .readTree(Files.readString(KubernetesManifests.DIR.resolve("statefulset.yaml")));
    JsonNode template = statefulSet.path("spec").path("template");
    ObjectNode spec = (ObjectNode) template.path("spec").deepCopy();
    for (JsonNode port : spec.path("containers").path(0).path("ports")) {
      if ("management".equals(port.path("name").asString())) {
        ((ObjectNode) port).put("containerPort", managementPort); // where this test's node listens
      }
    }
    ObjectNode pod = JSON.createObjectNode();
    pod.put("apiVersion", "v1").put("kind", "Pod");
    ObjectNode metadata = pod.putObject("metadata");
    metadata.put("name", statefulSet.path("metadata").path("name").asString() + "-0").put("namespace", NAMESPACE);
    metadata.set("labels", template.path("metadata").path("labels"));
    pod.set("spec", spec);
    pod.putObject("status").put("phase", "Running").put("podIP", "127.0.0.1");
    ObjectNode list = JSON.createObjectNode();
    list.put("apiVersion", "v1").put("kind", "PodList");
    list.putArray("items").add(pod);
    return list.toString();
  }

  /** A key pair and certificate for 127.0.0.1 (keytool, the JDK's), the certificate also as the CA file. */
  private static void selfSignedCertificateFor127001(Path keyStore, Path caCertificate) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    run(keytool, "-genkeypair", "-alias", "api-server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
        "-dname", "CN=kubernetes", "-ext", "SAN=ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit");
    run(keytool, "-exportcert", "-rfc", "-alias", "api-server", "-keystore", keyStore.toString(),
        "-storepass", "changeit", "-file", caCertificate.toString());
  }

  private static SSLContext serverContext(Path keyStore) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keyStore)) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(keys.getKeyManagers(), null, null);
    return context;
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
    }
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
