#include "server/cel_lite.h"

#include <cctype>
#include <regex>
#include <stdexcept>
#include <variant>

namespace ossvp::kubesim {
namespace {

using json = nlohmann::json;

struct Unsupported : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Values are JSON; a "missing" marker is used only inside has().
class Parser {
 public:
  Parser(const std::string& src, const json& self) : s_(src), self_(self) {}

  json run() {
    json v = parseOr();
    skipWs();
    if (pos_ != s_.size()) throw Unsupported("unexpected input at " + std::to_string(pos_));
    return v;
  }

 private:
  void skipWs() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) pos_++;
  }
  bool eat(const std::string& tok) {
    skipWs();
    if (s_.compare(pos_, tok.size(), tok) == 0) {
      pos_ += tok.size();
      return true;
    }
    return false;
  }
  static bool truthy(const json& v) {
    if (!v.is_boolean()) throw EvalError("no matching overload: expected a bool");
    return v.get<bool>();
  }
  json parseOr() {
    json l = parseAnd();
    while (eat("||")) {
      json r = parseAnd();
      l = truthy(l) || truthy(r);
    }
    return l;
  }
  json parseAnd() {
    json l = parseUnary();
    while (eat("&&")) {
      json r = parseUnary();
      l = truthy(l) && truthy(r);
    }
    return l;
  }
  json parseUnary() {
    skipWs();
    if (pos_ < s_.size() && s_[pos_] == '!' && (pos_ + 1 >= s_.size() || s_[pos_ + 1] != '=')) {
      pos_++;
      return !truthy(parseUnary());
    }
    return parseCmp();
  }
  json parseCmp() {
    json l = parsePrimary();
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (eat(op)) {
        json r = parsePrimary();
        std::string o = op;
        if (o == "==") return l == r;
        if (o == "!=") return l != r;
        if (!(l.is_number() && r.is_number()) && !(l.is_string() && r.is_string())) {
          throw EvalError("no matching overload for '" + o + "'");
        }
        if (o == "<") return l < r;
        if (o == "<=") return l <= r;
        if (o == ">") return l > r;
        return l >= r;
      }
    }
    return l;
  }
  std::string ident() {
    skipWs();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) pos_++;
    return s_.substr(start, pos_ - start);
  }
  // self(.field)* ; when `forHas`, returns whether the last field exists.
  json parsePath(bool forHas) {
    std::string root = ident();
    if (root != "self") throw Unsupported("only self-rooted paths are supported");
    const json* cur = &self_;
    while (true) {
      skipWs();
      if (pos_ < s_.size() && s_[pos_] == '.') {
        size_t save = pos_;
        pos_++;
        std::string f = ident();
        skipWs();
        if (pos_ < s_.size() && s_[pos_] == '(') {  // method call: leave for caller
          pos_ = save;
          break;
        }
        if (!cur->is_object() || !cur->contains(f)) {
          if (forHas) {
            skipWs();
            if (pos_ < s_.size() && s_[pos_] == '.') throw EvalError("no such key: " + f);
            return false;
          }
          throw EvalError("no such key: " + f);
        }
        cur = &(*cur)[f];
        continue;
      }
      break;
    }
    if (forHas) return true;
    return applyMethods(*cur);
  }
  json applyMethods(json v) {
    while (true) {
      skipWs();
      if (!(pos_ < s_.size() && s_[pos_] == '.')) return v;
      pos_++;
      std::string m = ident();
      if (!eat("(")) throw Unsupported("field access after a method call");
      if (m == "size") {
        if (!eat(")")) throw Unsupported("size() takes no arguments");
        v = sizeOf(v);
        continue;
      }
      json arg = parseOr();
      if (!eat(")")) throw Unsupported("expected ')'");
      if (!v.is_string() || !arg.is_string()) throw EvalError("no matching overload for " + m);
      std::string a = v.get<std::string>(), b = arg.get<std::string>();
      if (m == "startsWith")
        v = a.rfind(b, 0) == 0;
      else if (m == "endsWith")
        v = a.size() >= b.size() && a.compare(a.size() - b.size(), b.size(), b) == 0;
      else if (m == "contains")
        v = a.find(b) != std::string::npos;
      else if (m == "matches")
        v = std::regex_search(a, std::regex(b));
      else
        throw Unsupported("method " + m);
    }
  }
  static json sizeOf(const json& v) {
    if (v.is_string() || v.is_array() || v.is_object()) return static_cast<int64_t>(v.size());
    throw EvalError("no matching overload for size");
  }
  json parsePrimary() {
    skipWs();
    if (eat("(")) {
      json v = parseOr();
      if (!eat(")")) throw Unsupported("expected ')'");
      return applyMethods(v);
    }
    if (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
      char q = s_[pos_++];
      std::string out;
      while (pos_ < s_.size() && s_[pos_] != q) {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) pos_++;
        out += s_[pos_++];
      }
      pos_++;
      return applyMethods(out);
    }
    if (pos_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-')) {
      size_t start = pos_++;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) pos_++;
      return std::stoll(s_.substr(start, pos_ - start));
    }
    size_t save = pos_;
    std::string id = ident();
    if (id == "true") return true;
    if (id == "false") return false;
    if (id == "has") {
      if (!eat("(")) throw Unsupported("has needs '('");
      json v = parsePath(true);
      if (!eat(")")) throw Unsupported("expected ')'");
      return v;
    }
    if (id == "size") {
      if (!eat("(")) throw Unsupported("size needs '('");
      json v = parseOr();
      if (!eat(")")) throw Unsupported("expected ')'");
      return sizeOf(v);
    }
    if (id == "self") {
      pos_ = save;
      return parsePath(false);
    }
    throw Unsupported("identifier '" + id + "'");
  }

  const std::string& s_;
  const json& self_;
  size_t pos_ = 0;
};

}  // namespace

CelOutcome evaluateCelRule(const std::string& rule, const json& self, std::string* error) {
  if (rule.find("oldSelf") != std::string::npos) return CelOutcome::Unsupported;
  try {
    json v = Parser(rule, self).run();
    if (!v.is_boolean()) return CelOutcome::Unsupported;
    return v.get<bool>() ? CelOutcome::Pass : CelOutcome::Fail;
  } catch (const Unsupported&) {
    return CelOutcome::Unsupported;
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return CelOutcome::Error;
  }
}

}  // namespace ossvp::kubesim
