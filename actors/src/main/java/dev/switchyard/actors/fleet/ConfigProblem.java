package dev.switchyard.actors.fleet;

/** One mistake in a configuration: the key path it is at and what is wrong, with what to do where that helps. */
public record ConfigProblem(String path, String message) {
  public String line() {
    return path + ": " + message;
  }
}
