package io.spanline.localinfra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on 127.0.0.1, for servers that must know their port before they bind. */
public final class Ports {
  private Ports() {}

  /**
   * A port that was free on 127.0.0.1 a moment ago. The kernel hands ports out in turn, so another
   * process taking it before the server binds is unlikely; the server's start then fails loudly.
   */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  /** {@code port} itself, or a free port when it is 0. */
  public static int orFree(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0-65535, was " + port);
    }
    return port == 0 ? freePort() : port;
  }
}
