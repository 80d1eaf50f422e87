// Result<T>: a value of type T or a non-ok Status (a small std::expected
// stand-in until the project moves to C++23).
//
// Thread-safety: a value type; externally synchronized like any T.
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "ossvp/common/status.h"

namespace ossvp {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                    // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).isOk()); }  // NOLINT

  bool isOk() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return isOk(); }

  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; Status::ok() when the result holds a value.
  Status status() const { return isOk() ? Status::ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace ossvp

// Evaluates `rexpr` (a Result); on error returns its Status, else moves the
// value into `lhs` (which may be a declaration, e.g. `auto x`).
#define OSSVP_ASSIGN_OR_RETURN(lhs, rexpr) \
  OSSVP_ASSIGN_OR_RETURN_IMPL(OSSVP_CONCAT(ossvp_result_, __LINE__), lhs, rexpr)
#define OSSVP_CONCAT_INNER(a, b) a##b
#define OSSVP_CONCAT(a, b) OSSVP_CONCAT_INNER(a, b)
#define OSSVP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                \
  if (!tmp.isOk()) return tmp.status();              \
  lhs = std::move(tmp).value()
