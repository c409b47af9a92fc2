package dev.switchyard.actors.fleet;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.List;

/**
 * Typed reads of a configuration entry that report a value of the wrong type or range as a {@link ConfigProblem}
 * at its key path (and go on, so that every problem of a file is reported at once) instead of throwing.
 */
public final class ConfigValues {
  private ConfigValues() {}

  /** Whether {@code key} is on or off; a problem otherwise. */
  public static boolean flag(Config c, String key, String path, List<ConfigProblem> out) {
    try {
      return c.getBoolean(key);
    } catch (ConfigException.Missing e) {
      out.add(new ConfigProblem(path + "." + key, "missing"));
    } catch (ConfigException e) {
      out.add(new ConfigProblem(path + "." + key, "must be on or off, got " + render(c, key)));
    }
    return false;
  }

  public static double nonNegative(Config c, String key, String path, List<ConfigProblem> out) {
    try {
      double v = c.getDouble(key);
      if (!(v >= 0) || Double.isInfinite(v)) {
        out.add(new ConfigProblem(path + "." + key, "must be a finite number >= 0, got " + v));
      }
      return v;
    } catch (ConfigException.Missing e) {
      out.add(new ConfigProblem(path + "." + key, "missing"));
    } catch (ConfigException e) {
      out.add(new ConfigProblem(path + "." + key, "must be a number, got " + render(c, key)));
    }
    return 0;
  }

  public static int positiveInt(Config c, String key, String path, List<ConfigProblem> out) {
    int v = nonNegativeInt(c, key, path, out);
    if (v == 0 && c.hasPath(key)) {
      out.add(new ConfigProblem(path + "." + key, "must be at least 1"));
    }
    return v;
  }

  public static int nonNegativeInt(Config c, String key, String path, List<ConfigProblem> out) {
    try {
      int v = c.getInt(key);
      if (v < 0) {
        out.add(new ConfigProblem(path + "." + key, "must be >= 0, got " + v));
      }
      return v;
    } catch (ConfigException.Missing e) {
      out.add(new ConfigProblem(path + "." + key, "missing"));
    } catch (ConfigException e) {
      out.add(new ConfigProblem(path + "." + key, "must be a whole number, got " + render(c, key)));
    }
    return 0;
  }

  public static Duration positiveDuration(Config c, String key, String path, List<ConfigProblem> out) {
    try {
      Duration d = c.getDuration(key);
      if (d.isNegative() || d.isZero()) {
        out.add(new ConfigProblem(path + "." + key, "must be a positive duration, e.g. 60s"));
      }
      return d;
    } catch (ConfigException.Missing e) {
      out.add(new ConfigProblem(path + "." + key, "missing"));
    } catch (ConfigException e) {
      out.add(new ConfigProblem(path + "." + key, "must be a duration such as 500ms, 60s or 2m, got "
          + render(c, key)));
    }
    return Duration.ZERO;
  }

  public static String string(Config c, String key, String path, List<ConfigProblem> out) {
    if (!c.hasPath(key)) {
      out.add(new ConfigProblem(path + "." + key, "missing"));
      return "";
    }
    if (c.getValue(key).valueType() != ConfigValueType.STRING) {
      out.add(new ConfigProblem(path + "." + key, "must be a string, got " + render(c, key)));
      return "";
    }
    return c.getString(key);
  }

  private static String render(Config c, String key) {
    return c.hasPath(key) ? c.getValue(key).render() : "nothing";
  }
}
