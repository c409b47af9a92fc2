package dev.switchyard.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A private network of Linux network namespaces for the chaos tier (reliability-plan.md, section 4): one namespace
 * per node, each with its own address on a bridge, so that iptables rules inside a node's namespace cut real
 * links between real JVMs. Needs root, {@code ip netns} and {@code iptables}; {@link #unavailableBecause()} says
 * why a machine cannot run it, for {@code assumeTrue}.
 *
 * <p>Layout, for a run of pid P on subnet 10.213.S.0/24 (S from the pid, skipped while some route uses it):
 * namespace {@code syPr} holds the bridge (so that the root namespace's netfilter never sees the bridged traffic);
 * namespace {@code syPn<i>} holds node i's end of a veth pair, address 10.213.S.(10+i), whose other end is a port
 * of the bridge; the test JVM's leg is veth {@code syPh} in the root namespace, address 10.213.S.1 ({@link
 * #hostAddress()}), the other port of the bridge: the test reaches every node's HTTP port there, and every node
 * reaches services of the root namespace (the test's PostgreSQL) at that address.
 *
 * <p>A cut is {@code iptables -I INPUT -s <from> -j DROP} in the receiving node's namespace: a silent blackhole
 * (packets vanish, connects time out) in one direction, as a broken switch port or a firewall makes. Rules live
 * only in the namespaces made here, so the machine's own firewall is never touched. {@link #close()} deletes the
 * namespaces (with them their veths, bridge and rules) and the host leg; a JVM shutdown hook does the same if the
 * test never gets to it. Nothing that this object did not create is removed.
 */
final class NetworkNamespaces implements AutoCloseable {
  private static final String SUBNET_PREFIX = "10.213.";

  private final String prefix;
  private final String subnet; // e.g. "10.213.42."
  private final int nodes;
  private final List<String> created = new ArrayList<>(); // namespaces, in creation order
  private final Set<Cut> cuts = new LinkedHashSet<>();
  private final Thread cleanupOnExit;
  private boolean hostLeg;

  /** A one-way blackhole: packets from node {@code from} to node {@code to} are dropped (1-based node numbers). */
  record Cut(int from, int to) {}

  private NetworkNamespaces(String prefix, String subnet, int nodes) {
    this.prefix = prefix;
    this.subnet = subnet;
    this.nodes = nodes;
    this.cleanupOnExit = new Thread(this::deleteQuietly, "network-namespaces-cleanup");
  }

  /**
   * Why this machine cannot make the network (not root, no {@code ip netns}, no iptables, or a container that
   * forbids them), or null if it can. Tries for real: a scratch namespace is made, its iptables listed, and
   * deleted again.
   */
  static String unavailableBecause() {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "network namespaces need root (this JVM runs as " + System.getProperty("user.name") + ")";
    }
    String probe = "sy" + ProcessHandle.current().pid() + "p";
    try {
      Result add = run(List.of("ip", "netns", "add", probe));
      if (add.exit() != 0) {
        return "`ip netns add` fails: " + add.output();
      }
      try {
        Result rules = run(List.of("ip", "netns", "exec", probe, "iptables", "-w", "-S", "INPUT"));
        if (rules.exit() != 0) {
          return "iptables fails in a network namespace (Debian package iptables; .ci/run installs it): "
              + rules.output();
        }
      } finally {
        run(List.of("ip", "netns", "del", probe));
      }
    } catch (IOException e) {
      return "no `ip` (iproute2) or `iptables` command: " + e.getMessage();
    }
    return null;
  }

  /** Makes namespaces for {@code nodes} nodes, the bridge and the host leg; on failure removes what it made. */
  static NetworkNamespaces create(int nodes) throws IOException {
    long pid = ProcessHandle.current().pid();
    NetworkNamespaces net = new NetworkNamespaces("sy" + pid, SUBNET_PREFIX + freeSubnetOctet(pid) + ".", nodes);
    Runtime.getRuntime().addShutdownHook(net.cleanupOnExit);
    try {
      net.build();
    } catch (IOException | RuntimeException e) {
      net.deleteQuietly();
      throw e;
    }
    return net;
  }

  private void build() throws IOException {
    String router = prefix + "r";
    addNamespace(router);
    ip("-n", router, "link", "set", "lo", "up");
    ip("-n", router, "link", "add", "br0", "type", "bridge");
    ip("-n", router, "link", "set", "br0", "up");
    for (int i = 1; i <= nodes; i++) {
      String ns = namespace(i);
      String leg = prefix + "n" + i;
      addNamespace(ns);
      ip("link", "add", leg, "type", "veth", "peer", "name", leg + "b");
      ip("link", "set", leg, "netns", ns);
      ip("link", "set", leg + "b", "netns", router);
      ip("-n", router, "link", "set", leg + "b", "master", "br0", "up");
      ip("-n", ns, "link", "set", "lo", "up");
      ip("-n", ns, "addr", "add", address(i) + "/24", "dev", leg);
      ip("-n", ns, "link", "set", leg, "up");
    }
    String host = prefix + "h";
    ip("link", "add", host, "type", "veth", "peer", "name", host + "b");
    hostLeg = true;
    ip("link", "set", host + "b", "netns", router);
    ip("-n", router, "link", "set", host + "b", "master", "br0", "up");
    ip("addr", "add", hostAddress() + "/24", "dev", host);
    ip("link", "set", host, "up");
  }

  /** The namespace of node {@code node} (1-based), for {@code ip netns exec}. */
  String namespace(int node) {
    return prefix + "n" + node;
  }

  /** The words that run a command inside node {@code node}'s namespace. */
  List<String> commandPrefix(int node) {
    return List.of("ip", "netns", "exec", namespace(node));
  }

  /** Node {@code node}'s address (1-based). */
  String address(int node) {
    return subnet + (10 + node);
  }

  /** The test JVM's address on the bridge (root namespace): where nodes reach the test's PostgreSQL. */
  String hostAddress() {
    return subnet + "1";
  }

  /** The subnet in CIDR notation, e.g. for PostgreSQL's pg_hba. */
  String cidr() {
    return subnet + "0/24";
  }

  /** Drops every packet from node {@code from} to node {@code to}, silently. */
  synchronized void cut(int from, int to) throws IOException {
    if (cuts.add(new Cut(from, to))) {
      iptables(to, "-I", "INPUT", "-s", address(from), "-j", "DROP");
    }
  }

  /** Cuts both directions between every node of {@code side} and every node of {@code other}. */
  void partition(List<Integer> side, List<Integer> other) throws IOException {
    for (int a : side) {
      for (int b : other) {
        cut(a, b);
        cut(b, a);
      }
    }
  }

  /** Removes every cut: the network is whole again. */
  synchronized void heal() throws IOException {
    for (Cut c : List.copyOf(cuts)) {
      iptables(c.to(), "-D", "INPUT", "-s", address(c.from()), "-j", "DROP");
      cuts.remove(c);
    }
  }

  /** The cuts in force. */
  synchronized Set<Cut> cuts() {
    return Set.copyOf(cuts);
  }

  private void iptables(int node, String... rule) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace(node), "iptables", "-w"));
    command.addAll(List.of(rule));
    check(command);
  }

  private void addNamespace(String ns) throws IOException {
    check(List.of("ip", "netns", "add", ns));
    created.add(ns);
  }

  private static void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    check(command);
  }

  @Override
  public void close() throws IOException {
    try {
      delete();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs (or ran) and finds nothing left
      }
    }
  }

  private synchronized void delete() throws IOException {
    List<String> failures = new ArrayList<>();
    // Deleting a namespace deletes its interfaces, veth peers with them (the host leg's peer is in the router).
    for (int i = created.size() - 1; i >= 0; i--) {
      Result r = run(List.of("ip", "netns", "del", created.get(i)));
      if (r.exit() != 0) {
        failures.add("ip netns del " + created.get(i) + ": " + r.output());
      }
    }
    created.clear();
    cuts.clear();
    if (hostLeg && run(List.of("ip", "link", "show", prefix + "h")).exit() == 0) {
      Result r = run(List.of("ip", "link", "del", prefix + "h"));
      if (r.exit() != 0) {
        failures.add("ip link del " + prefix + "h: " + r.output());
      }
    }
    hostLeg = false;
    if (!failures.isEmpty()) {
      throw new IOException("could not remove the test's network: " + failures);
    }
  }

  private void deleteQuietly() {
    try {
      delete();
    } catch (IOException e) {
      System.err.println(e.getMessage());
    }
  }

  /** A third octet no route of this machine uses yet, starting from one derived from the pid. */
  private static int freeSubnetOctet(long pid) throws IOException {
    String routes = run(List.of("ip", "-4", "route", "show", "table", "all")).output();
    for (int k = 0; k < 250; k++) {
      int octet = (int) ((pid + k) % 250) + 1;
      if (!routes.contains(SUBNET_PREFIX + octet + ".")) {
        return octet;
      }
    }
    throw new IOException("every subnet " + SUBNET_PREFIX + "1-250.0/24 is in use by a route of this machine");
  }

  private record Result(int exit, String output) {}

  private static void check(List<String> command) throws IOException {
    Result r = run(command);
    if (r.exit() != 0) {
      throw new IOException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.output());
    }
  }

  private static Result run(List<String> command) throws IOException {
    Path output = Files.createTempFile("switchyard-netns", ".log");
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish within 30 s");
      }
      return new Result(p.exitValue(), Files.readString(output, StandardCharsets.UTF_8).strip());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(String.join(" ", command) + " interrupted", e);
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
