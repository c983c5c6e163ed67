package io.lsem.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The driver's packages form no dependency cycle, and the API package ({@code io.lsem.jdbc})
 * depends on no implementation package: only on {@code spi} (the one interface the implementation
 * is loaded through) and {@code value} (the parsers of property values). The graph is the JDK's
 * {@code jdeps} over the compiled classes, the same as
 * {@code jdeps -verbose:package -filter:none -e 'io\.lsem\.jdbc.*' driver/target/classes}.
 */
class PackageCyclesTest {
  private static final String ROOT = "io.lsem.jdbc";

  @Test
  void thePackagesFormNoCycle() {
    Map<String, Set<String>> graph = packageGraph();
    assertTrue(graph.size() >= 15, "jdeps saw the driver's packages: " + graph.keySet());
    List<List<String>> cycles = new ArrayList<>();
    for (List<String> component : stronglyConnected(graph)) {
      if (component.size() > 1) {
        cycles.add(component);
      }
    }
    assertEquals(List.of(), cycles, "packages that depend on each other, in the graph " + graph);
  }

  @Test
  void theApiPackageDependsOnNoImplementation() {
    Set<String> api = packageGraph().getOrDefault(ROOT, Set.of());
    assertEquals(new TreeSet<>(Set.of(ROOT + ".spi", ROOT + ".value")), new TreeSet<>(api));
    assertFalse(api.contains(ROOT + ".core"));
  }

  /** Package → the driver packages it uses, from jdeps. */
  private static Map<String, Set<String>> packageGraph() {
    Path classes = Path.of("target/classes");
    assertTrue(Files.isDirectory(classes.resolve("io/lsem/jdbc")), "compiled classes at " + classes.toAbsolutePath());
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int status = jdeps.run(new PrintWriter(out), new PrintWriter(out), "-verbose:package", "-filter:none", "-e",
        "io\\.lsem\\.jdbc.*", classes.toString());
    assertEquals(0, status, out.toString());
    Map<String, Set<String>> graph = new TreeMap<>();
    for (String line : out.toString().split("\n")) {
      String[] words = line.trim().split("\\s+");
      if (words.length >= 3 && words[1].equals("->") && words[0].startsWith(ROOT) && words[2].startsWith(ROOT)) {
        graph.computeIfAbsent(words[0], p -> new TreeSet<>());
        if (!words[0].equals(words[2])) {
          graph.get(words[0]).add(words[2]);
        }
      }
    }
    return graph;
  }

  /** Tarjan's strongly connected components. */
  private static List<List<String>> stronglyConnected(Map<String, Set<String>> graph) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<List<String>> components = new ArrayList<>();
    for (String start : graph.keySet()) {
      if (!index.containsKey(start)) {
        visit(start, graph, index, low, stack, onStack, components);
      }
    }
    return components;
  }

  private static void visit(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
      Map<String, Integer> low, Deque<String> stack, Set<String> onStack, List<List<String>> components) {
    index.put(v, index.size());
    low.put(v, index.get(v));
    stack.push(v);
    onStack.add(v);
    for (String w : graph.getOrDefault(v, Set.of())) {
      if (!index.containsKey(w)) {
        visit(w, graph, index, low, stack, onStack, components);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<String> component = new ArrayList<>();
      String w;
      do {
        w = stack.pop();
        onStack.remove(w);
        component.add(w);
      } while (!w.equals(v));
      components.add(component);
    }
  }
}
