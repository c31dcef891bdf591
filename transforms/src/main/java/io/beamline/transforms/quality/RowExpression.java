package io.beamline.transforms.quality;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A small SQL-like boolean expression over one row's columns, for {@code expression} rules:
 * comparisons ({@code = != <> < <= > >=}), arithmetic ({@code + - * / %}), {@code AND}, {@code
 * OR}, {@code NOT}, {@code IS [NOT] NULL}, {@code [NOT] IN (...)}, parentheses, numbers, {@code
 * 'strings'}, {@code TRUE}, {@code FALSE} and {@code NULL}. Logic is SQL's three-valued one: a
 * comparison with NULL is unknown (null). Types are checked when the expression is parsed, so a
 * rule that compares a string with a number fails before any pipeline starts.
 */
public final class RowExpression implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The types of values an expression works on. */
  public enum Type {
    NUMBER,
    STRING,
    BOOLEAN,
    /** The NULL literal: fits every type. */
    NULL
  }

  private final String text;
  private final Node root;

  private RowExpression(String text, Node root) {
    this.text = text;
    this.root = root;
  }

  /**
   * Parses {@code text}; {@code columns} gives the type of every column the expression may name.
   *
   * @throws IllegalArgumentException naming the problem and where it is
   */
  public static RowExpression parse(String text, Map<String, Type> columns) {
    Parser p = new Parser(text, columns);
    Node root = p.or();
    p.expectEnd();
    if (root.type() != Type.BOOLEAN) {
      throw new IllegalArgumentException("expression '" + text + "' is not a condition (its type is " + root.type() + ")");
    }
    return new RowExpression(text, root);
  }

  /** TRUE, FALSE, or null (unknown) for a row whose column values {@code values} gives. */
  public Boolean test(Function<String, Object> values) {
    return (Boolean) root.eval(values);
  }

  /**
   * A column value as an expression value: numbers as {@link BigDecimal} (decimals are stored as
   * text), strings, booleans, or null.
   */
  public static Object valueOf(JsonNode node, Type type) {
    if (node == null || node.isNull()) {
      return null;
    }
    switch (type) {
      case NUMBER:
        return node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
      case BOOLEAN:
        return node.asBoolean();
      default:
        return node.asText();
    }
  }

  @Override
  public String toString() {
    return text;
  }

  // ------------------------------------------------------------------------------ tree

  private interface Node extends Serializable {
    Type type();

    Object eval(Function<String, Object> values);
  }

  private static final class Literal implements Node {
    private static final long serialVersionUID = 1L;
    private final Object value;
    private final Type type;

    Literal(Object value, Type type) {
      this.value = value;
      this.type = type;
    }

    @Override
    public Type type() {
      return type;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      return value;
    }
  }

  private static final class Column implements Node {
    private static final long serialVersionUID = 1L;
    private final String name;
    private final Type type;

    Column(String name, Type type) {
      this.name = name;
      this.type = type;
    }

    @Override
    public Type type() {
      return type;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      return values.apply(name);
    }
  }

  private static final class Not implements Node {
    private static final long serialVersionUID = 1L;
    private final Node operand;

    Not(Node operand) {
      this.operand = operand;
    }

    @Override
    public Type type() {
      return Type.BOOLEAN;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      Boolean b = (Boolean) operand.eval(values);
      return b == null ? null : !b;
    }
  }

  private static final class Logic implements Node {
    private static final long serialVersionUID = 1L;
    private final boolean and;
    private final Node left;
    private final Node right;

    Logic(boolean and, Node left, Node right) {
      this.and = and;
      this.left = left;
      this.right = right;
    }

    @Override
    public Type type() {
      return Type.BOOLEAN;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      Boolean l = (Boolean) left.eval(values);
      if (l != null && l != and) {
        return l; // FALSE AND x, TRUE OR x
      }
      Boolean r = (Boolean) right.eval(values);
      if (r != null && r != and) {
        return r;
      }
      return l == null || r == null ? null : and;
    }
  }

  private static final class IsNull implements Node {
    private static final long serialVersionUID = 1L;
    private final Node operand;
    private final boolean negated;

    IsNull(Node operand, boolean negated) {
      this.operand = operand;
      this.negated = negated;
    }

    @Override
    public Type type() {
      return Type.BOOLEAN;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      return (operand.eval(values) == null) != negated;
    }
  }

  private static final class Compare implements Node {
    private static final long serialVersionUID = 1L;
    private final String op;
    private final Node left;
    private final Node right;

    Compare(String op, Node left, Node right) {
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    public Type type() {
      return Type.BOOLEAN;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      Object l = left.eval(values);
      Object r = right.eval(values);
      if (l == null || r == null) {
        return null;
      }
      int c = compare(l, r);
      switch (op) {
        case "=":
          return c == 0;
        case "!=":
        case "<>":
          return c != 0;
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        case ">":
          return c > 0;
        default:
          return c >= 0;
      }
    }

    @SuppressWarnings("unchecked")
    static int compare(Object l, Object r) {
      return ((Comparable<Object>) l).compareTo(r);
    }
  }

  private static final class In implements Node {
    private static final long serialVersionUID = 1L;
    private final Node operand;
    private final List<Node> candidates;
    private final boolean negated;

    In(Node operand, List<Node> candidates, boolean negated) {
      this.operand = operand;
      this.candidates = candidates;
      this.negated = negated;
    }

    @Override
    public Type type() {
      return Type.BOOLEAN;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      Object v = operand.eval(values);
      if (v == null) {
        return null;
      }
      boolean unknown = false;
      for (Node n : candidates) {
        Object c = n.eval(values);
        if (c == null) {
          unknown = true;
        } else if (Compare.compare(v, c) == 0) {
          return !negated;
        }
      }
      return unknown ? null : negated;
    }
  }

  private static final class Arithmetic implements Node {
    private static final long serialVersionUID = 1L;
    private final char op;
    private final Node left;
    private final Node right;

    Arithmetic(char op, Node left, Node right) {
      this.op = op;
      this.left = left;
      this.right = right;
    }

    @Override
    public Type type() {
      return Type.NUMBER;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      BigDecimal l = (BigDecimal) left.eval(values);
      BigDecimal r = (BigDecimal) right.eval(values);
      if (l == null || r == null) {
        return null;
      }
      switch (op) {
        case '+':
          return l.add(r);
        case '-':
          return l.subtract(r);
        case '*':
          return l.multiply(r);
        case '/':
          return r.signum() == 0 ? null : l.divide(r, MathContext.DECIMAL64);
        default:
          return r.signum() == 0 ? null : l.remainder(r);
      }
    }
  }

  private static final class Negate implements Node {
    private static final long serialVersionUID = 1L;
    private final Node operand;

    Negate(Node operand) {
      this.operand = operand;
    }

    @Override
    public Type type() {
      return Type.NUMBER;
    }

    @Override
    public Object eval(Function<String, Object> values) {
      BigDecimal v = (BigDecimal) operand.eval(values);
      return v == null ? null : v.negate();
    }
  }

  // ---------------------------------------------------------------------------- parser

  /** Recursive descent over the text; each method parses one precedence level. */
  private static final class Parser {
    private final String text;
    private final Map<String, Type> columns;
    private final List<String> tokens = new ArrayList<>();
    private final List<Integer> positions = new ArrayList<>();
    private int at;

    Parser(String text, Map<String, Type> columns) {
      this.text = text;
      this.columns = columns;
      tokenize();
    }

    private void tokenize() {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        int start = i;
        if (Character.isWhitespace(c)) {
          i++;
          continue;
        }
        if (Character.isDigit(c) || (c == '.' && i + 1 < text.length() && Character.isDigit(text.charAt(i + 1)))) {
          while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
            i++;
          }
        } else if (Character.isLetter(c) || c == '_') {
          while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
            i++;
          }
        } else if (c == '\'') {
          i++;
          while (true) {
            if (i >= text.length()) {
              throw error("unterminated string", start);
            }
            if (text.charAt(i) == '\'') {
              if (i + 1 < text.length() && text.charAt(i + 1) == '\'') {
                i += 2; // '' is a quote inside a string
                continue;
              }
              i++;
              break;
            }
            i++;
          }
        } else if ("<>!".indexOf(c) >= 0 && i + 1 < text.length() && (text.charAt(i + 1) == '=' || (c == '<' && text.charAt(i + 1) == '>'))) {
          i += 2;
        } else if ("=<>+-*/%(),".indexOf(c) >= 0) {
          i++;
        } else {
          throw error("unexpected character '" + c + "'", start);
        }
        tokens.add(text.substring(start, i));
        positions.add(start);
      }
    }

    private IllegalArgumentException error(String what, int position) {
      return new IllegalArgumentException(
          "expression '" + text + "': " + what + " at position " + (position + 1));
    }

    private IllegalArgumentException error(String what) {
      return error(what, at < positions.size() ? positions.get(at) : text.length());
    }

    private String peek() {
      return at < tokens.size() ? tokens.get(at) : null;
    }

    private boolean keyword(String word) {
      String t = peek();
      if (t != null && t.equalsIgnoreCase(word)) {
        at++;
        return true;
      }
      return false;
    }

    private boolean symbol(String s) {
      if (s.equals(peek())) {
        at++;
        return true;
      }
      return false;
    }

    void expectEnd() {
      if (peek() != null) {
        throw error("unexpected '" + peek() + "'");
      }
    }

    Node or() {
      Node left = and();
      while (keyword("OR")) {
        left = new Logic(false, condition(left), condition(and()));
      }
      return left;
    }

    private Node and() {
      Node left = not();
      while (keyword("AND")) {
        left = new Logic(true, condition(left), condition(not()));
      }
      return left;
    }

    private Node not() {
      if (keyword("NOT")) {
        return new Not(condition(not()));
      }
      return predicate();
    }

    private Node condition(Node n) {
      if (n.type() != Type.BOOLEAN && n.type() != Type.NULL) {
        throw error("AND, OR and NOT need conditions, not a " + n.type());
      }
      return n;
    }

    private Node predicate() {
      Node left = additive();
      String t = peek();
      if (t == null) {
        return left;
      }
      if (List.of("=", "!=", "<>", "<", "<=", ">", ">=").contains(t)) {
        at++;
        Node right = additive();
        sameType(left, right, t);
        if (left.type() == Type.BOOLEAN && !t.equals("=") && !t.equals("!=") && !t.equals("<>")) {
          throw error("booleans can only be compared with = or <>");
        }
        return new Compare(t, left, right);
      }
      if (keyword("IS")) {
        boolean negated = keyword("NOT");
        if (!keyword("NULL")) {
          throw error("expected NULL after IS");
        }
        return new IsNull(left, negated);
      }
      boolean negated = false;
      if (t.equalsIgnoreCase("NOT") && at + 1 < tokens.size() && tokens.get(at + 1).equalsIgnoreCase("IN")) {
        at++;
        negated = true;
      }
      if (keyword("IN")) {
        if (!symbol("(")) {
          throw error("expected ( after IN");
        }
        List<Node> candidates = new ArrayList<>();
        do {
          Node c = additive();
          sameType(left, c, "IN");
          candidates.add(c);
        } while (symbol(","));
        if (!symbol(")")) {
          throw error("expected ) after the IN list");
        }
        return new In(left, candidates, negated);
      }
      return left;
    }

    private void sameType(Node a, Node b, String op) {
      if (a.type() != b.type() && a.type() != Type.NULL && b.type() != Type.NULL) {
        throw error("cannot compare " + a.type() + " with " + b.type() + " (" + op + ")");
      }
    }

    private Node additive() {
      Node left = multiplicative();
      while ("+".equals(peek()) || "-".equals(peek())) {
        char op = tokens.get(at++).charAt(0);
        left = new Arithmetic(op, number(left), number(multiplicative()));
      }
      return left;
    }

    private Node multiplicative() {
      Node left = unary();
      while ("*".equals(peek()) || "/".equals(peek()) || "%".equals(peek())) {
        char op = tokens.get(at++).charAt(0);
        left = new Arithmetic(op, number(left), number(unary()));
      }
      return left;
    }

    private Node number(Node n) {
      if (n.type() != Type.NUMBER && n.type() != Type.NULL) {
        throw error("arithmetic needs numbers, not a " + n.type());
      }
      return n;
    }

    private Node unary() {
      if (symbol("-")) {
        return new Negate(number(unary()));
      }
      return primary();
    }

    private Node primary() {
      String t = peek();
      if (t == null) {
        throw error("unexpected end");
      }
      if (symbol("(")) {
        Node inner = or();
        if (!symbol(")")) {
          throw error("expected )");
        }
        return inner;
      }
      at++;
      char c = t.charAt(0);
      if (Character.isDigit(c) || c == '.') {
        try {
          return new Literal(new BigDecimal(t), Type.NUMBER);
        } catch (NumberFormatException e) {
          at--;
          throw error("bad number '" + t + "'");
        }
      }
      if (c == '\'') {
        return new Literal(t.substring(1, t.length() - 1).replace("''", "'"), Type.STRING);
      }
      if (Character.isLetter(c) || c == '_') {
        switch (t.toUpperCase(Locale.ROOT)) {
          case "TRUE":
            return new Literal(Boolean.TRUE, Type.BOOLEAN);
          case "FALSE":
            return new Literal(Boolean.FALSE, Type.BOOLEAN);
          case "NULL":
            return new Literal(null, Type.NULL);
          default:
            Type type = columns.get(t);
            if (type == null) {
              at--;
              throw error("unknown column '" + t + "'");
            }
            return new Column(t, type);
        }
      }
      at--;
      throw error("unexpected '" + t + "'");
    }
  }
}
