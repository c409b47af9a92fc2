package dev.switchyard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.actors.journal.LocalPostgres;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The network {@link PartitionIT} runs on: each node's namespace reaches the test JVM's leg over the bridge (where
 * the test's PostgreSQL listens and accepts the subnet's clients), cuts are iptables rules in the receiving namespace and heal removes them, and
 * closing leaves no namespace, interface or rule of it behind. Root only, like the partitions themselves.
 */
class NetworkNamespacesTest {
  @BeforeEach
  void needsRootAndNetns() {
    String missing = NetworkNamespaces.unavailableBecause();
    assumeTrue(missing == null, () -> "network namespace tests need root, `ip netns` and iptables: " + missing);
  }

  @Test
  void everyNodeReachesTheHostLegAndCloseRemovesEverythingItMade() throws Exception {
    NetworkNamespaces net = NetworkNamespaces.create(2);
    String namespace = net.namespace(1);
    try (net; ServerSocket host = new ServerSocket(0, 5, InetAddress.getByName(net.hostAddress()))) {
      assertTrue(run("ip", "netns", "list").contains(namespace), "namespace " + namespace + " made");
      CompletableFuture<String> accepted = CompletableFuture.supplyAsync(() -> {
        try (Socket s = host.accept()) {
          return s.getInetAddress().getHostAddress();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      // bash's /dev/tcp: a TCP connect from inside the namespace with nothing installed
      assertEquals(0, exit("ip", "netns", "exec", namespace, "timeout", "5", "bash", "-c",
          "exec 3<>/dev/tcp/" + net.hostAddress() + "/" + host.getLocalPort()), "node 1 connects to the host leg");
      assertEquals(net.address(1), accepted.get(10, TimeUnit.SECONDS), "from its own address");

      net.cut(1, 2);
      net.partition(List.of(1), List.of(2)); // the cut 1->2 again, and 2->1: a rule is added once
      assertEquals(Set.of(new NetworkNamespaces.Cut(1, 2), new NetworkNamespaces.Cut(2, 1)), net.cuts());
      String rules = run("ip", "netns", "exec", net.namespace(2), "iptables", "-S", "INPUT");
      assertTrue(rules.contains("-A INPUT -s " + net.address(1) + "/32 -j DROP"), rules);
      net.heal();
      assertEquals(Set.of(), net.cuts());
      assertFalse(run("ip", "netns", "exec", net.namespace(2), "iptables", "-S", "INPUT").contains("DROP"));
    }
    assertFalse(run("ip", "netns", "list").contains(namespace.substring(0, namespace.length() - 2)),
        "no namespace of the run left");
    assertFalse(run("ip", "link", "show").contains(namespace.substring(0, namespace.length() - 2) + "h"),
        "no host leg left");
  }

  @Test
  void thePostgresOfTheTestIsReachableFromEveryNamespaceAtTheHostLeg() throws Exception {
    try (NetworkNamespaces net = NetworkNamespaces.create(1);
        LocalPostgres postgres = LocalPostgres.startReachableAt(Map.of(), net.hostAddress(), net.cidr())) {
      assertEquals("jdbc:postgresql://" + net.hostAddress() + ":" + postgres.port() + "/" + LocalPostgres.DATABASE,
          postgres.url());
      // from the host leg's address, a client of the trusted subnet, not loopback
      try (Connection c = postgres.connect(); ResultSet r = c.createStatement().executeQuery(
          "SELECT host(inet_client_addr())")) {
        assertTrue(r.next());
        assertEquals(net.hostAddress(), r.getString(1));
      }
      assertEquals(0, exit("ip", "netns", "exec", net.namespace(1), "timeout", "5", "bash", "-c",
          "exec 3<>/dev/tcp/" + net.hostAddress() + "/" + postgres.port()), "node 1 reaches PostgreSQL's port");
    }
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    return out;
  }

  private static int exit(String... command) throws Exception {
    Process p = new ProcessBuilder(command).inheritIO().start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
    return p.exitValue();
  }
}
