package dev.switchyard.strategies.data;

/** A recorded-outcomes file that does not follow the format; the message names the file and line. */
public final class DataFormatException extends RuntimeException {
  public DataFormatException(String message) {
    super(message);
  }

  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
