package io.spanline.localinfra;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bare HTTP/1.1 client on a socket to 127.0.0.1, for fuzz tests: it sends the request line and
 * header bytes exactly as given (no client-side validation, unlike the JDK's or Armeria's clients),
 * one request per connection ({@code Connection: close}), and reads the status line of the answer.
 */
public final class RawHttp {
  private static final int BODY_KEPT = 4096;
  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?im)^content-length:\\s*(\\d{1,18})\\s*$");

  private RawHttp() {}

  /** A header as raw bytes, written as {@code name: value\r\n}. */
  public record Header(String name, byte[] value) {
    public static Header of(String name, String value) {
      return new Header(name, value.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Override
    public String toString() {
      return name + ": " + new String(value, StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * The answer: the status code and everything the server sent (status line, headers, body), or
   * status -1 when the server closed the connection without a status line.
   */
  public record Answer(int status, byte[] raw) {
    /** The first {@code max} bytes of the answer as Latin-1 text, for failure messages. */
    public String text(int max) {
      return new String(raw, 0, Math.min(max, raw.length), StandardCharsets.ISO_8859_1);
    }
  }

  /**
   * Sends {@code method target HTTP/1.1} with {@code Host}, {@code Content-Length} (when there is a
   * body), the headers and {@code Connection: close}, then reads the answer's head and up to 4 KB
   * of its body (until the server closes, if it sends less).
   *
   * @param target the request target as bytes, e.g. {@code /v1/traces?x=%41}: sent unchanged
   * @param body the body, or null for none
   * @param timeout how long to wait for each read of the answer
   * @throws IOException if the connection cannot be made or the answer does not come in time
   */
  public static Answer send(
      int port, String method, byte[] target, List<Header> headers, byte[] body, Duration timeout)
      throws IOException {
    ByteArrayOutputStream request =
        new ByteArrayOutputStream(256 + (body == null ? 0 : body.length));
    request.writeBytes(method.getBytes(StandardCharsets.US_ASCII));
    request.write(' ');
    request.writeBytes(target);
    request.writeBytes(" HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
    List<Header> all = new ArrayList<>();
    all.add(Header.of("Host", "127.0.0.1:" + port));
    all.addAll(headers);
    if (body != null) {
      all.add(Header.of("Content-Length", Integer.toString(body.length)));
    }
    all.add(Header.of("Connection", "close"));
    for (Header h : all) {
      request.writeBytes(h.name().getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(": ".getBytes(StandardCharsets.US_ASCII));
      request.writeBytes(h.value());
      request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    request.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      request.writeBytes(body);
    }
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout((int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      try {
        OutputStream out = socket.getOutputStream();
        out.write(request.toByteArray());
        out.flush();
      } catch (SocketException e) {
        // the server may answer (e.g. 415) and close before reading the whole body: read that
      }
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        int n;
        while (!complete(answer.toByteArray()) && (n = in.read(buffer)) > 0) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketException e) {
        // a reset after the answer was sent still leaves the answer
      }
      byte[] raw = answer.toByteArray();
      return new Answer(status(raw), raw);
    }
  }

  /**
   * Whether {@code raw} holds the status line, the headers and the first {@link #BODY_KEPT} bytes
   * of the body (or all of it, by {@code Content-Length}): enough to judge the answer, without
   * waiting for the server to close the connection.
   */
  private static boolean complete(byte[] raw) {
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    Matcher length = CONTENT_LENGTH.matcher(text.substring(0, end));
    long body = length.find() ? Long.parseLong(length.group(1)) : 0;
    return raw.length - (end + 4) >= Math.min(body, BODY_KEPT);
  }

  /** The code of {@code HTTP/1.1 NNN ...}, or -1. */
  private static int status(byte[] raw) {
    String head = new String(raw, 0, Math.min(16, raw.length), StandardCharsets.ISO_8859_1);
    if (!head.startsWith("HTTP/1.") || head.length() < 12) {
      return -1;
    }
    try {
      return Integer.parseInt(head.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
