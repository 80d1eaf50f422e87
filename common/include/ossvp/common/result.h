// Result<T>: a value of type T or a non-ok Status (a small std::expected
// stand-in until the project moves to C++23). Result<T, E> carries another
// error type instead, e.g. kube-sim's ApiResult<T> = Result<T, ApiError>.
//
// Thread-safety: a value type; externally synchronized like any T.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "ossvp/common/status.h"

namespace ossvp {

template <typename T, typename E = Status>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(E error) : v_(std::in_place_index<1>, std::move(error)) {   // NOLINT
    if constexpr (std::is_same_v<E, Status>) assert(!std::get<1>(v_).isOk());
  }

  bool isOk() const { return v_.index() == 0; }
  explicit operator bool() const { return isOk(); }

  const T& value() const& { return std::get<0>(v_); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The error; only when the result holds no value.
  const E& error() const { return std::get<1>(v_); }

  // The error; Status::ok() when the result holds a value.
  template <typename U = E, typename = std::enable_if_t<std::is_same_v<U, Status>>>
  Status status() const {
    return isOk() ? Status::ok() : std::get<1>(v_);
  }

 private:
  std::variant<T, E> v_;
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
