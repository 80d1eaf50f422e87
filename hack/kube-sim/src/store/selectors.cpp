#include "store/selectors.h"

#include <algorithm>
#include <cctype>

namespace ossvp::kubesim {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// Splits on commas that are not inside parentheses.
std::vector<std::string> splitTopLevel(const std::string& text) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : text) {
    if (c == '(') depth++;
    if (c == ')') depth--;
    if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!trim(cur).empty() || !out.empty()) out.push_back(trim(cur));
  return out;
}

bool validKey(const std::string& k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

std::string labelValue(const json& labels, const std::string& key, bool* present) {
  *present = labels.is_object() && labels.contains(key);
  if (!*present) return "";
  const json& v = labels[key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

ApiResult<LabelSelector> LabelSelector::parse(const std::string& text) {
  LabelSelector sel;
  if (trim(text).empty()) return sel;
  for (const std::string& part : splitTopLevel(text)) {
    auto bad = [&]() { return errBadRequest("unable to parse requirement: invalid label selector \"" + part + "\""); };
    if (part.empty()) return bad();
    Requirement r;
    size_t paren = part.find('(');
    if (paren != std::string::npos) {
      if (part.back() != ')') return bad();
      std::string head = trim(part.substr(0, paren));
      size_t sp = head.find_last_of(" \t");
      if (sp == std::string::npos) return bad();
      r.key = trim(head.substr(0, sp));
      r.op = trim(head.substr(sp + 1));
      if (r.op != "in" && r.op != "notin") return bad();
      std::string inner = part.substr(paren + 1, part.size() - paren - 2);
      size_t start = 0;
      while (true) {
        size_t c = inner.find(',', start);
        r.values.push_back(trim(inner.substr(start, c == std::string::npos ? std::string::npos : c - start)));
        if (c == std::string::npos) break;
        start = c + 1;
      }
    } else if (part[0] == '!') {
      r.key = trim(part.substr(1));
      r.op = "!";
    } else if (size_t p = part.find("!="); p != std::string::npos) {
      r.key = trim(part.substr(0, p));
      r.op = "!=";
      r.values.push_back(trim(part.substr(p + 2)));
    } else if (size_t q = part.find("=="); q != std::string::npos) {
      r.key = trim(part.substr(0, q));
      r.op = "=";
      r.values.push_back(trim(part.substr(q + 2)));
    } else if (size_t e = part.find('='); e != std::string::npos) {
      r.key = trim(part.substr(0, e));
      r.op = "=";
      r.values.push_back(trim(part.substr(e + 1)));
    } else {
      r.key = part;
      r.op = "exists";
    }
    if (!validKey(r.key)) return bad();
    sel.reqs_.push_back(std::move(r));
  }
  return sel;
}

ApiResult<LabelSelector> LabelSelector::fromJson(const json& selector) {
  LabelSelector sel;
  if (!selector.is_object()) return sel;
  if (selector.contains("matchLabels") && selector["matchLabels"].is_object()) {
    for (auto& [k, v] : selector["matchLabels"].items()) {
      sel.reqs_.push_back({k, "=", {v.is_string() ? v.get<std::string>() : v.dump()}});
    }
  }
  if (selector.contains("matchExpressions") && selector["matchExpressions"].is_array()) {
    for (const auto& e : selector["matchExpressions"]) {
      Requirement r;
      r.key = e.value("key", "");
      std::string op = e.value("operator", "");
      if (op == "In")
        r.op = "in";
      else if (op == "NotIn")
        r.op = "notin";
      else if (op == "Exists")
        r.op = "exists";
      else if (op == "DoesNotExist")
        r.op = "!";
      else
        return errBadRequest("invalid label selector operator \"" + op + "\"");
      if (e.contains("values") && e["values"].is_array()) {
        for (const auto& v : e["values"]) r.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
      }
      sel.reqs_.push_back(std::move(r));
    }
  }
  return sel;
}

bool LabelSelector::matches(const json& labels) const {
  for (const auto& r : reqs_) {
    bool present = false;
    std::string v = labelValue(labels, r.key, &present);
    bool inValues = std::find(r.values.begin(), r.values.end(), v) != r.values.end();
    if (r.op == "=" && !(present && inValues)) return false;
    if (r.op == "in" && !(present && inValues)) return false;
    if (r.op == "!=" && present && inValues) return false;
    if (r.op == "notin" && present && inValues) return false;
    if (r.op == "exists" && !present) return false;
    if (r.op == "!" && present) return false;
  }
  return true;
}

bool LabelSelector::matchesObject(const json& obj) const {
  if (reqs_.empty()) return true;
  static const json kNull;
  const json* labels = &kNull;
  if (obj.contains("metadata") && obj["metadata"].contains("labels")) labels = &obj["metadata"]["labels"];
  return matches(*labels);
}

std::string fieldValue(const json& obj, const std::string& path) {
  const json* cur = &obj;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object() || !cur->contains(part)) return "";
    cur = &(*cur)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_null()) return "";
  if (cur->is_boolean()) return cur->get<bool>() ? "true" : "false";
  return cur->dump();
}

ApiResult<FieldSelector> FieldSelector::parse(const std::string& text, const std::vector<std::string>& supported,
                                              bool namespaced, bool allowAny) {
  FieldSelector sel;
  if (trim(text).empty()) return sel;
  for (const std::string& part : splitTopLevel(text)) {
    Term t;
    size_t p;
    if ((p = part.find("!=")) != std::string::npos) {
      t.field = trim(part.substr(0, p));
      t.negate = true;
      t.value = trim(part.substr(p + 2));
    } else if ((p = part.find("==")) != std::string::npos) {
      t.field = trim(part.substr(0, p));
      t.value = trim(part.substr(p + 2));
    } else if ((p = part.find('=')) != std::string::npos) {
      t.field = trim(part.substr(0, p));
      t.value = trim(part.substr(p + 1));
    } else {
      return errBadRequest("invalid selector: '" + text + "'; can't understand '" + part + "'");
    }
    bool ok = allowAny || t.field == "metadata.name" || (namespaced && t.field == "metadata.namespace") ||
              std::find(supported.begin(), supported.end(), t.field) != supported.end();
    if (!ok) return errBadRequest("field label not supported: " + t.field);
    sel.terms_.push_back(std::move(t));
  }
  return sel;
}

bool FieldSelector::matches(const json& obj) const {
  for (const auto& t : terms_) {
    std::string v = fieldValue(obj, t.field);
    if ((v == t.value) == t.negate) return false;
  }
  return true;
}

std::optional<std::string> FieldSelector::exactName() const {
  for (const auto& t : terms_) {
    if (t.field == "metadata.name" && !t.negate) return t.value;
  }
  return std::nullopt;
}

}  // namespace ossvp::kubesim
