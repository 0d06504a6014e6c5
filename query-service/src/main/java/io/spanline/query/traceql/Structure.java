package io.spanline.query.traceql;

import io.spanline.query.traceql.Ast.SpansetOperator;
import java.util.BitSet;

/**
 * The spanset operators on the span tree of one trace. {@code left} and {@code right} are the spans
 * each side selected. Source: Tempo's TraceQL documentation: {@code {A} > {B}} is the spans of B
 * whose parent is in A; {@code >>} whose ancestor is; {@code <} the spans of B that are the parent
 * of a span of A; {@code <<} an ancestor of one; {@code ~} those with a sibling in A; the {@code !}
 * forms are the other spans of B; the {@code &} forms add the spans of A that took part.
 */
final class Structure {
  private Structure() {}

  static BitSet combine(SpansetOperator operator, BitSet left, BitSet right, TraceContext trace) {
    BitSet out = new BitSet(trace.size());
    switch (operator) {
      case AND -> {
        if (!left.isEmpty() && !right.isEmpty()) {
          out.or(left);
          out.or(right);
        }
      }
      case OR -> {
        out.or(left);
        out.or(right);
      }
      case CHILD, NOT_CHILD, UNION_CHILD -> {
        for (int r = right.nextSetBit(0); r >= 0; r = right.nextSetBit(r + 1)) {
          int p = trace.parent[r];
          boolean holds = p >= 0 && left.get(p);
          keep(operator, out, r, holds);
          if (holds && operator == SpansetOperator.UNION_CHILD) {
            out.set(p);
          }
        }
      }
      case DESCENDANT, NOT_DESCENDANT, UNION_DESCENDANT -> {
        for (int r = right.nextSetBit(0); r >= 0; r = right.nextSetBit(r + 1)) {
          boolean holds = false;
          for (int a : trace.ancestors(r)) {
            if (left.get(a)) {
              holds = true;
              if (operator == SpansetOperator.UNION_DESCENDANT) {
                out.set(a);
              }
            }
          }
          keep(operator, out, r, holds);
        }
      }
      case PARENT, NOT_PARENT, UNION_PARENT -> {
        for (int r = right.nextSetBit(0); r >= 0; r = right.nextSetBit(r + 1)) {
          boolean holds = false;
          for (int c : trace.children.get(r)) {
            if (left.get(c)) {
              holds = true;
              if (operator == SpansetOperator.UNION_PARENT) {
                out.set(c);
              }
            }
          }
          keep(operator, out, r, holds);
        }
      }
      case ANCESTOR, NOT_ANCESTOR, UNION_ANCESTOR -> {
        BitSet ancestorsOfLeft = new BitSet(trace.size());
        for (int l = left.nextSetBit(0); l >= 0; l = left.nextSetBit(l + 1)) {
          for (int a : trace.ancestors(l)) {
            ancestorsOfLeft.set(a);
          }
        }
        for (int r = right.nextSetBit(0); r >= 0; r = right.nextSetBit(r + 1)) {
          boolean holds = ancestorsOfLeft.get(r);
          keep(operator, out, r, holds);
        }
        if (operator == SpansetOperator.UNION_ANCESTOR) {
          for (int l = left.nextSetBit(0); l >= 0; l = left.nextSetBit(l + 1)) {
            for (int a : trace.ancestors(l)) {
              if (right.get(a)) {
                out.set(l);
              }
            }
          }
        }
      }
      case SIBLING, NOT_SIBLING, UNION_SIBLING -> {
        for (int r = right.nextSetBit(0); r >= 0; r = right.nextSetBit(r + 1)) {
          int p = trace.parent[r];
          boolean holds = false;
          if (p >= 0) {
            for (int s : trace.children.get(p)) {
              if (s != r && left.get(s)) {
                holds = true;
                if (operator == SpansetOperator.UNION_SIBLING) {
                  out.set(s);
                }
              }
            }
          }
          keep(operator, out, r, holds);
        }
      }
      default -> throw new IllegalStateException("unknown operator " + operator);
    }
    return out;
  }

  private static void keep(SpansetOperator operator, BitSet out, int r, boolean holds) {
    boolean negated = operator.name().startsWith("NOT_");
    if (holds != negated) {
      out.set(r);
    }
  }
}
