// LabelSelector / FieldSelector: parsers and matchers for the `labelSelector`
// and `fieldSelector` query parameters, plus JSON-form label
// selectors ({matchLabels, matchExpressions}) used inside objects.
//
// Thread-safety: immutable after parse; safe to share.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "store/api_error.h"

namespace ossvp::kubesim {

class LabelSelector {
 public:
  struct Requirement {
    std::string key;
    std::string op;  // "=", "!=", "in", "notin", "exists", "!"
    std::vector<std::string> values;
  };
  // Parses the string form; 400 BadRequest on a syntax error.
  static ApiResult<LabelSelector> parse(const std::string& text);
  // Parses metav1.LabelSelector JSON ({matchLabels, matchExpressions}).
  static ApiResult<LabelSelector> fromJson(const json& selector);

  bool empty() const { return reqs_.empty(); }
  bool matches(const json& labels) const;  // labels: object or null
  bool matchesObject(const json& obj) const;

 private:
  std::vector<Requirement> reqs_;
};

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool negate = false;
    std::string value;
  };
  // Parses "a=b,c!=d"; `supported` lists the allowed field labels beyond
  // metadata.name (and metadata.namespace when namespaced); 400 "field label
  // not supported: X" otherwise. An empty `supported` with allowAny=true
  // accepts every dotted path.
  static ApiResult<FieldSelector> parse(const std::string& text, const std::vector<std::string>& supported,
                                        bool namespaced, bool allowAny = false);
  bool empty() const { return terms_.empty(); }
  bool matches(const json& obj) const;
  // The value of a metadata.name=X term, if any (fast path).
  std::optional<std::string> exactName() const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

// Value of a dotted path ("spec.nodeName") rendered as a string ("" if absent).
std::string fieldValue(const json& obj, const std::string& path);

}  // namespace ossvp::kubesim
