package dev.switchyard.strategies.features;

/**
 * A pretrained text encoder (e.g. a sentence-transformer served over HTTP or ONNX). None ships with the
 * project, because no weights can be downloaded at run time; strategies that the papers define over
 * embeddings accept any {@link Featurizer}, and an Embedder is one.
 */
public interface Embedder extends Featurizer {
  /** The encoder's name, for reports. */
  String name();
}
