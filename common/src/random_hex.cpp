#include "ossvp/common/random_hex.h"

#include <openssl/rand.h>

#include "ossvp/common/hex.h"

namespace ossvp {

std::string randomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return hexEncode(raw);
}

}  // namespace ossvp
