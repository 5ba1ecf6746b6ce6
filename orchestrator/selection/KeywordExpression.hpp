#pragma once

#include <string>
#include <vector>

namespace orchestrate {

// A parsed `-k EXPR`, with pytest 7's grammar and meaning (_pytest/mark/expression.py):
//
//   expression: expr? EOF
//   expr:       and_expr ('or' and_expr)*
//   and_expr:   not_expr ('and' not_expr)*
//   not_expr:   'not' not_expr | '(' expr ')' | ident
//   ident:      (word character | : | + | - | . | [ | ] | \ | /)+
//
// so `not` binds tighter than `and`, which binds tighter than `or`; the keywords are lowercase
// only (`OR` is an identifier). An identifier matches a test when it is a case-insensitive
// substring of one of the test's names (keyword_names). An empty (or blank) expression matches
// every test, as `pytest -k ""` deselects nothing.
//
// Unlike pytest, marker names and names assigned to the test function are not matched: the
// orchestrator selects from collected ids alone. The object is a small value: copy it freely.
class KeywordExpression
{
public:
  // Matches every test.
  KeywordExpression() = default;

  // Parses `text`. Throws UsageError naming the 1-based column and what was expected, e.g.
  // "-k: expected an identifier, 'not' or '(' at column 7 in 'a and ' (got end of input)".
  static KeywordExpression parse(const std::string& text);

  // True when the expression holds for the test with this id (see keyword_names).
  bool matches(const std::string& test_id) const;

  // The text it was parsed from.
  const std::string& text() const
  {
    return m_text;
  }

private:
  enum class NodeKind { k_identifier, k_not, k_and, k_or };

  // The syntax tree, flat: children are indices into m_nodes, so the object copies without
  // owning pointers.
  struct Node
  {
    NodeKind kind = NodeKind::k_identifier;
    std::string identifier;     // lowercased, for k_identifier
    std::vector<int> operands;  // one for k_not; two or more for k_and and k_or
  };

  class Parser;

  bool evaluate(int node, const std::vector<std::string>& names) const;

  std::string m_text;
  std::vector<Node> m_nodes;
  int m_root = -1;  // -1: the empty expression
};

// The names a -k identifier is matched against, lowercased, as pytest names a test and its
// parents. A pytest node id `suites/integration/test_pg.py::TestX::test_y[a]` gives the module
// path `suites/integration/test_pg.py`, its folders and file (`suites`, `integration`,
// `test_pg.py`) and each `::` part (`TestX`, `test_y[a]`); a pytest module under the rootdir is
// named by its relative path, so `-k integration/test_pg` matches as in pytest. Any other id
// (gtest `Suite.Test`, `Prefix/Suite.Test/0`, a command's name) gives the whole id, its `/`
// parts, and for a part `Suite.Test` its `Suite` and `Test`.
std::vector<std::string> keyword_names(const std::string& test_id);

}  // namespace orchestrate
