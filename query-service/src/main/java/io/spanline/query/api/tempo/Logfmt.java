package io.spanline.query.api.tempo;

import io.spanline.query.api.Responses.BadParameter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the logfmt text of Tempo's {@code tags} search parameter: space-separated {@code key=value}
 * pairs, a value either bare or double-quoted with backslash escapes ({@code \"}, {@code \\}), e.g.
 * {@code service.name="cart service" http.status_code=500}. A later pair with the same key wins.
 */
final class Logfmt {
  private Logfmt() {}

  /**
   * @throws BadParameter naming {@code tags} when a pair has no key or value, or a quote is not
   *     closed
   */
  static Map<String, String> parse(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      if (i == n) {
        break;
      }
      int keyStart = i;
      while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      String key = text.substring(keyStart, i);
      if (key.isEmpty() || i == n || text.charAt(i) != '=') {
        throw new BadParameter(
            "tags must be logfmt key=value pairs, e.g. service.name=cart http.status_code=500;"
                + " '"
                + key
                + "' has no value");
      }
      i++;
      StringBuilder value = new StringBuilder();
      if (i < n && text.charAt(i) == '"') {
        i++;
        boolean closed = false;
        while (i < n) {
          char c = text.charAt(i++);
          if (c == '\\' && i < n) {
            value.append(text.charAt(i++));
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value.append(c);
          }
        }
        if (!closed) {
          throw new BadParameter("tags: the quoted value of '" + key + "' is not closed");
        }
      } else {
        while (i < n && !Character.isWhitespace(text.charAt(i))) {
          value.append(text.charAt(i++));
        }
      }
      if (value.length() == 0) {
        throw new BadParameter("tags: '" + key + "' has an empty value");
      }
      out.put(key, value.toString());
    }
    return out;
  }
}
