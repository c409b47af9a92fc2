package dev.switchyard.simulator.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PromptIndexTest {
  @Test
  void matchesExactlyUpToWhitespace() {
    PromptIndex.Match m = TestData.index().lookup("\tName the   largest ocean\non Earth.  ");
    assertTrue(m.exact());
    assertEquals("q4", m.query().id());
    assertEquals(1.0, m.similarity());
  }

  @Test
  void caseIsKeptSoADifferentlyCasedPromptIsNotExact() {
    PromptIndex.Match m = TestData.index().lookup("name the largest ocean on earth.");
    assertFalse(m.exact());
    assertEquals("q4", m.query().id());
    assertTrue(m.similarity() > 0.99, "same words: cosine ~1, got " + m.similarity());
  }

  @Test
  void findsTheNearestPromptBySharedTerms() {
    PromptIndex.Match m = TestData.index().lookup("solve 2x + 3 = 11 for x");
    assertFalse(m.exact());
    assertEquals("q2", m.query().id());
    assertTrue(m.similarity() > 0 && m.similarity() < 1, "similarity " + m.similarity());
  }
}
