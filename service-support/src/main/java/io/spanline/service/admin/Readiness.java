package io.spanline.service.admin;

/** Whether a process can do its work now; {@code /readyz} answers 200 only when it can. */
public interface Readiness {
  boolean ready();

  /** Why the process is not ready, for the {@code /readyz} body; "" when ready. */
  String problem();

  /**
   * A state worth knowing that does not make the process unready (e.g. overload shedding), one line
   * added to the {@code /readyz} body after {@code ready}; "" for none.
   */
  default String detail() {
    return "";
  }
}
