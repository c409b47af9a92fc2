package dev.switchyard.protocol;

/**
 * How a query is kept while it runs. {@code EPHEMERAL}: a plain in-memory actor, for interactive chat at high
 * rates; lost if its node dies. {@code DURABLE}: event sourced; survives a crash and resumes at its last
 * recorded step without repeating a finished model call.
 */
public enum Durability {
  EPHEMERAL,
  DURABLE
}
