package dev.switchyard.strategies.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class HashedNgramFeaturizerTest {
  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  @Test
  void producesUnitVectorsSoDotProductIsCosine() {
    double[] v = new HashedNgramFeaturizer(256).features("The capital of France is Paris");

    assertEquals(1.0, dot(v, v), 1e-12);
  }

  @Test
  void ignoresCaseAndPunctuation() {
    HashedNgramFeaturizer f = new HashedNgramFeaturizer(256);

    assertArrayEquals(f.features("What is 2+2?"), f.features("what IS 2 + 2"), 1e-12);
  }

  @Test
  void similarTextsAreCloserThanUnrelatedOnes() {
    HashedNgramFeaturizer f = new HashedNgramFeaturizer(1024);
    double[] a = f.features("capital city of France");
    double[] b = f.features("what is the capital city of France");
    double[] c = f.features("solve the integral of x squared");

    assertTrue(dot(a, b) > dot(a, c));
  }

  @Test
  void idfDownweightsTermsInEveryDocument() {
    HashedNgramFeaturizer f = new HashedNgramFeaturizer(4096).fit(List.of("answer alpha", "answer beta",
        "answer gamma"));
    double[] v = f.features("answer alpha");
    int answer = Math.floorMod("answer".hashCode(), 4096);
    int alpha = Math.floorMod("alpha".hashCode(), 4096);

    assertTrue(v[alpha] > v[answer], "rare term outweighs the ubiquitous one");
  }

  @Test
  void emptyTextIsTheZeroVector() {
    assertEquals(0.0, dot(new HashedNgramFeaturizer(8).features("?!"), new double[8]));
  }

  @Test
  void refusesADegenerateDimension() {
    assertThrows(IllegalArgumentException.class, () -> new HashedNgramFeaturizer(1));
  }

  @Test
  void lexicalCuesFlagMultipleChoiceAndMaths() {
    double[] mc = new LexicalCues().features("Question: x?\nA: 1\nB: 2");
    double[] maths = new LexicalCues().features("Compute 12*7+3=?");

    assertEquals(1.0, mc[4]);
    assertEquals(0.0, maths[4]);
    assertTrue(maths[3] > 0 && maths[2] > 0);
  }
}
