// Kubernetes resource quantities ("1Gi", "500M", "2e9", "1.5Gi", "100k") as
// PVC requests, PV capacities and container limits carry them. The syntax is
// apimachinery's resource.ParseQuantity (after the TrimSpace its JSON decoding
// does): a number with optional sign and decimal point, then a binary suffix
// (Ki Mi Gi Ti Pi Ei: powers of 1024), a decimal one (n u m "" k M G T P E:
// powers of 1000) or a decimal exponent (e3, E-2). quantityParseError() says
// why a text is not one, in apimachinery's words (what the API server answers
// when it decodes an object holding it); parseQuantity() converts the
// accepted ones to bytes, quantityMilliValue() to milli-units (cpu "100m" is
// 100, "0.1" too): both exactly, on the decimal digits, as apimachinery's
// inf.Dec arithmetic does.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ossvp::kubesim {

// ParseQuantity's error for `text` ("quantities must match the regular
// expression '...'", "unable to parse quantity's suffix"), or "" when it is a
// quantity. Numbers whose digits apimachinery's exact decimal arithmetic
// rejects (ErrNumeric) are not told apart: they are read as written.
std::string quantityParseError(std::string_view text);

// Bytes for a quantity, rounded up to a whole byte; nullopt when it is not a
// quantity, is negative or does not fit 64 bits.
std::optional<uint64_t> parseQuantity(std::string_view text);

// Quantity.MilliValue(): the value in thousandths ("1" is 1000, "1Gi" is
// 1073741824000), rounded away from zero ("0.1m" is 1); nullopt when it is not
// a quantity or does not fit int64 (from about 9.2e15 units: 8 PiB).
std::optional<int64_t> quantityMilliValue(std::string_view text);

// The canonical form of a byte count: the largest binary suffix dividing it
// exactly ("1Gi", "1536Mi", "10"), as kubectl prints capacities.
std::string formatQuantity(uint64_t bytes);

}  // namespace ossvp::kubesim
