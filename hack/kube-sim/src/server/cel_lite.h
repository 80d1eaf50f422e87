// A small evaluator for the CEL subset used in x-kubernetes-validations rules:
// `self`-rooted field paths, has(), size() / .size(), ==, !=, <, <=, >, >=,
// &&, ||, !, parentheses, string/int/bool literals, and the string methods
// startsWith/endsWith/contains/matches. Rules using anything else (e.g.
// oldSelf transition rules) are reported as unsupported and treated as passing.
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace ossvp::kubesim {

enum class CelOutcome { Pass, Fail, Unsupported, Error };

// `error` receives a runtime error message (e.g. "no such key: x") for Error.
CelOutcome evaluateCelRule(const std::string& rule, const nlohmann::json& self, std::string* error);

}  // namespace ossvp::kubesim
