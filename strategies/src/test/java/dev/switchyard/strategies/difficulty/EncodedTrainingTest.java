package dev.switchyard.strategies.difficulty;

import dev.switchyard.strategies.ml.QueryEncoder;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.switchyard.strategies.data.RecordedDataset;
import org.junit.jupiter.api.Test;

class EncodedTrainingTest {
  @Test
  void theSameSplitIsEncodedOncePerHashDimension() {
    RecordedDataset train = Fixtures.train();
    EncodedTraining a = EncodedTraining.of(train, 64);
    assertSame(a, EncodedTraining.of(train, 64));
    assertNotSame(a, EncodedTraining.of(train, 128));
  }

  @Test
  void anEqualButDistinctSplitGetsAnEqualEncoding() {
    EncodedTraining a = EncodedTraining.of(Fixtures.train(), 64);
    EncodedTraining b = EncodedTraining.of(Fixtures.train(), 64);
    assertNotSame(a, b);
    assertArrayEquals(a.set().featureMatrix()[7], b.set().featureMatrix()[7], 0.0);
  }

  @Test
  void aQueryWithoutTaskGetsASoftTaskFromTheNearestCentroid() {
    QueryEncoder encoder = EncodedTraining.of(Fixtures.train(), 64).encoder();
    double[] w = encoder.encode(Fixtures.mathPrompt(99), null).taskWeights();
    // tasks in sorted order: math, trivia, vote
    org.junit.jupiter.api.Assertions.assertTrue(w[0] > 0.9, java.util.Arrays.toString(w));
    assertArrayEquals(new double[] {0, 1, 0}, encoder.encode("anything", "trivia").taskWeights(), 0.0);
  }
}
