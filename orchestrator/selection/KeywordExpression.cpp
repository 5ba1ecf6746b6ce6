#include "selection/KeywordExpression.hpp"

#include "core/Error.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace orchestrate {

namespace {

// Deeper nesting of `not` and parentheses is surely a mistake; the bound keeps the recursive
// parser and evaluator far from the stack's limit.
constexpr int k_max_nesting = 500;

enum class TokenKind { k_left_paren, k_right_paren, k_or, k_and, k_not, k_identifier, k_end };

struct Token
{
  TokenKind kind = TokenKind::k_end;
  std::string text;
  std::size_t position = 0;  // 0-based byte offset
};

std::string lowercase(std::string_view text)
{
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) {
    return static_cast<char>(std::tolower(c));
  });
  return lowered;
}

// pytest's identifier characters: Python's \w (bytes of UTF-8 sequences count as word
// characters, as non-ASCII letters do there) and : + - . [ ] \ /.
bool is_identifier_char(char c)
{
  const auto byte = static_cast<unsigned char>(c);
  return std::isalnum(byte) != 0 || byte >= 0x80 || std::string_view("_:+-.[]\\/").find(c) !=
                                                      std::string_view::npos;
}

std::string describe(const Token& token)
{
  switch (token.kind) {
    case TokenKind::k_left_paren:
      return "'('";
    case TokenKind::k_right_paren:
      return "')'";
    case TokenKind::k_or:
      return "'or'";
    case TokenKind::k_and:
      return "'and'";
    case TokenKind::k_not:
      return "'not'";
    case TokenKind::k_identifier:
      return "identifier '" + token.text + "'";
    case TokenKind::k_end:
      break;
  }
  return "end of input";
}

std::vector<std::string> split(std::string_view text, std::string_view separator)
{
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t found = text.find(separator, start);
    const std::string_view part = text.substr(start, found - start);
    if (!part.empty()) {
      parts.emplace_back(part);
    }
    if (found == std::string_view::npos) {
      return parts;
    }
    start = found + separator.size();
  }
}

}  // namespace

// Recursive descent over pytest's grammar; writes the nodes straight into the expression.
class KeywordExpression::Parser
{
public:
  Parser(const std::string& text, std::vector<Node>& nodes) : m_text(text), m_nodes(nodes)
  {
    advance();
  }

  int expression()
  {
    const int root = expr();
    if (m_token.kind != TokenKind::k_end) {
      fail(m_token.kind == TokenKind::k_right_paren ? "unmatched ')'"
                                                    : "expected 'and', 'or' or end of input");
    }
    return root;
  }

private:
  int expr()
  {
    return chain(TokenKind::k_or, NodeKind::k_or, &Parser::and_expr);
  }

  int and_expr()
  {
    return chain(TokenKind::k_and, NodeKind::k_and, &Parser::not_expr);
  }

  // `a OP b OP c` as one node with all operands, so long chains do not nest.
  int chain(TokenKind separator, NodeKind kind, int (Parser::*operand)())
  {
    const int first = (this->*operand)();
    if (m_token.kind != separator) {
      return first;
    }
    std::vector<int> operands{first};
    while (m_token.kind == separator) {
      advance();
      operands.push_back((this->*operand)());
    }
    return add(Node{kind, {}, std::move(operands)});
  }

  int not_expr()
  {
    if (m_token.kind == TokenKind::k_not) {
      const Nesting nesting(*this);
      advance();
      return add(Node{NodeKind::k_not, {}, {not_expr()}});
    }
    if (m_token.kind == TokenKind::k_left_paren) {
      const Nesting nesting(*this);
      advance();
      const int inner = expr();
      if (m_token.kind != TokenKind::k_right_paren) {
        fail("expected ')'");
      }
      advance();
      return inner;
    }
    if (m_token.kind == TokenKind::k_identifier) {
      const int node = add(Node{NodeKind::k_identifier, lowercase(m_token.text), {}});
      advance();
      return node;
    }
    fail("expected an identifier, 'not' or '('");
  }

  // Counts the `not`s and parentheses we are inside of, and refuses absurd depths.
  class Nesting
  {
  public:
    explicit Nesting(Parser& parser) : m_parser(parser)
    {
      if (++m_parser.m_depth > k_max_nesting) {
        m_parser.fail("nested more than " + std::to_string(k_max_nesting) + " deep");
      }
    }

    ~Nesting()
    {
      --m_parser.m_depth;
    }

    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

  private:
    Parser& m_parser;
  };

  int add(Node node)
  {
    m_nodes.push_back(std::move(node));
    return static_cast<int>(m_nodes.size()) - 1;
  }

  void advance()
  {
    // pytest skips spaces and tabs only.
    while (m_position < m_text.size() &&
           (m_text[m_position] == ' ' || m_text[m_position] == '\t')) {
      ++m_position;
    }
    m_token = Token{TokenKind::k_end, {}, m_position};
    if (m_position == m_text.size()) {
      return;
    }
    const char c = m_text[m_position];
    if (c == '(' || c == ')') {
      m_token.kind = c == '(' ? TokenKind::k_left_paren : TokenKind::k_right_paren;
      m_token.text = std::string(1, c);
      ++m_position;
      return;
    }
    std::size_t end = m_position;
    while (end < m_text.size() && is_identifier_char(m_text[end])) {
      ++end;
    }
    if (end == m_position) {
      fail_at(m_position, std::string("unexpected character '") + c + "'", "");
    }
    m_token.text = m_text.substr(m_position, end - m_position);
    m_position = end;
    // Only the lowercase words are operators, as in pytest.
    if (m_token.text == "or") {
      m_token.kind = TokenKind::k_or;
    } else if (m_token.text == "and") {
      m_token.kind = TokenKind::k_and;
    } else if (m_token.text == "not") {
      m_token.kind = TokenKind::k_not;
    } else {
      m_token.kind = TokenKind::k_identifier;
    }
  }

  [[noreturn]] void fail(const std::string& what) const
  {
    fail_at(m_token.position, what, " (got " + describe(m_token) + ")");
  }

  [[noreturn]] void fail_at(std::size_t position, const std::string& what,
                            const std::string& got) const
  {
    throw UsageError("-k: " + what + " at column " + std::to_string(position + 1) + " in '" +
                     m_text + "'" + got);
  }

  const std::string& m_text;
  std::vector<Node>& m_nodes;
  std::size_t m_position = 0;
  Token m_token;
  int m_depth = 0;
};

KeywordExpression KeywordExpression::parse(const std::string& text)
{
  KeywordExpression parsed;
  parsed.m_text = text;
  if (text.find_first_not_of(" \t") == std::string::npos) {
    return parsed;
  }
  Parser parser(parsed.m_text, parsed.m_nodes);
  parsed.m_root = parser.expression();
  return parsed;
}

bool KeywordExpression::matches(const std::string& test_id) const
{
  if (m_root < 0) {
    return true;
  }
  return evaluate(m_root, keyword_names(test_id));
}

bool KeywordExpression::evaluate(int node_index, const std::vector<std::string>& names) const
{
  const Node& node = m_nodes[static_cast<std::size_t>(node_index)];
  switch (node.kind) {
    case NodeKind::k_identifier:
      return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
        return name.find(node.identifier) != std::string::npos;
      });
    case NodeKind::k_not:
      return !evaluate(node.operands.front(), names);
    case NodeKind::k_and:
      return std::all_of(node.operands.begin(), node.operands.end(),
                         [&](int operand) { return evaluate(operand, names); });
    case NodeKind::k_or:
      break;
  }
  return std::any_of(node.operands.begin(), node.operands.end(),
                     [&](int operand) { return evaluate(operand, names); });
}

std::vector<std::string> keyword_names(const std::string& test_id)
{
  std::vector<std::string> names;
  const std::string lowered = lowercase(test_id);
  // Parameters (`[...]`) belong to the last name whatever they contain, "::" and "/" included.
  const std::size_t parameters = std::min(lowered.find('['), lowered.size());
  const std::string_view head = std::string_view(lowered).substr(0, parameters);
  const std::size_t module_end = head.find("::");
  if (module_end != std::string_view::npos) {
    // A pytest node id: the module path, its folders and file, then class and function names.
    const std::string_view module = head.substr(0, module_end);
    names.emplace_back(module);
    std::vector<std::string> folders = split(module, "/");
    std::vector<std::string> members = split(head.substr(module_end), "::");
    if (members.empty()) {
      members.emplace_back();
    }
    members.back() += lowered.substr(parameters);
    names.insert(names.end(), std::make_move_iterator(folders.begin()),
                 std::make_move_iterator(folders.end()));
    names.insert(names.end(), std::make_move_iterator(members.begin()),
                 std::make_move_iterator(members.end()));
    return names;
  }

  // A gtest `Suite.Test` (or `Prefix/Suite.Test/Param`), a command's name, a module path: the
  // whole id is a name, so its parts are listed for completeness only (a substring of a part is
  // one of the whole).
  names.push_back(lowered);
  const std::vector<std::string> parts = split(lowered, "/");
  for (const std::string& part : parts) {
    if (parts.size() > 1) {
      names.push_back(part);
    }
    const std::size_t dot = part.find('.');
    if (dot != std::string::npos) {
      names.push_back(part.substr(0, dot));
      names.push_back(part.substr(dot + 1));
    }
  }
  return names;
}

}  // namespace orchestrate
