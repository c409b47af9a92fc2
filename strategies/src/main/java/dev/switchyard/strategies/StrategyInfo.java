package dev.switchyard.strategies;

import java.util.Objects;

/**
 * How a strategy presents itself in reports and in the dimension matrix.
 *
 * @param name the short registry name, e.g. {@code frugalgpt}
 * @param citation the paper, e.g. "Chen et al., FrugalGPT, arXiv 2305.05176"
 * @param adaptation how this implementation departs from the paper (e.g. features instead of a pretrained
 *     encoder), empty if it does not
 */
public record StrategyInfo(String name, String citation, Dimensions dimensions, String adaptation) {
  public StrategyInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dimensions, "dimensions");
    citation = citation == null ? "" : citation;
    adaptation = adaptation == null ? "" : adaptation;
  }
}
