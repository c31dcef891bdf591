package io.beamline.pipelines;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/** Prints a command's options, with description and default, from its options interface. */
final class OptionsHelp {
  private static final String OWN_PACKAGE = "io.beamline.options";

  private OptionsHelp() {}

  static String of(String command, String summary, Class<? extends PipelineOptions> options) {
    StringBuilder s = new StringBuilder();
    s.append("Usage: java -jar beamline-<runner>.jar ").append(command).append(" --option=value ...\n\n");
    s.append(summary).append("\n\nOptions:\n");
    for (Method getter : getters(options).values()) {
      Description d = getter.getAnnotation(Description.class);
      s.append("  --").append(property(getter)).append("=<")
          .append(getter.getReturnType().getSimpleName()).append(">\n");
      s.append(wrap(d == null ? "" : d.value(), "      "));
      s.append("      ").append(defaultOf(getter)).append("\n");
    }
    s.append("\nRunner options (Beam's own): --runner (default: the runner this jar bundles),\n")
        .append("  --flinkMaster=host:port (default: an embedded local cluster), --parallelism,\n")
        .append("  --sparkMaster=spark://host:port (default: local[*]), --tempLocation.\n");
    return s.toString();
  }

  private static Map<String, Method> getters(Class<?> options) {
    Map<String, Method> out = new LinkedHashMap<>();
    List<Class<?>> order = new ArrayList<>();
    collect(options, order);
    for (Class<?> iface : order) {
      for (Method m : iface.getDeclaredMethods()) {
        if ((m.getName().startsWith("get") || m.getName().startsWith("is")) && m.getParameterCount() == 0) {
          out.putIfAbsent(property(m), m);
        }
      }
    }
    return out;
  }

  private static void collect(Class<?> iface, List<Class<?>> order) {
    if (!iface.getPackageName().equals(OWN_PACKAGE) || order.contains(iface)) {
      return;
    }
    for (Class<?> parent : iface.getInterfaces()) {
      collect(parent, order);
    }
    order.add(iface);
  }

  private static String property(Method getter) {
    String name = getter.getName().substring(getter.getName().startsWith("is") ? 2 : 3);
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String defaultOf(Method getter) {
    if (getter.isAnnotationPresent(Validation.Required.class)) {
      return "(required)";
    }
    for (Annotation a : getter.getAnnotations()) {
      if (a instanceof Default.String) {
        return "(default: " + ((Default.String) a).value() + ")";
      } else if (a instanceof Default.Integer) {
        return "(default: " + ((Default.Integer) a).value() + ")";
      } else if (a instanceof Default.Long) {
        return "(default: " + ((Default.Long) a).value() + ")";
      } else if (a instanceof Default.Double) {
        return "(default: " + ((Default.Double) a).value() + ")";
      } else if (a instanceof Default.Boolean) {
        return "(default: " + ((Default.Boolean) a).value() + ")";
      }
    }
    return "(optional)";
  }

  private static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder(indent);
    for (String word : text.split(" ")) {
      if (line.length() + word.length() > 96 && line.length() > indent.length()) {
        out.append(line).append('\n');
        line = new StringBuilder(indent);
      }
      line.append(line.length() > indent.length() ? " " : "").append(word);
    }
    return out.append(line).append('\n').toString();
  }
}
