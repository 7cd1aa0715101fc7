// MD5 digests as DVC computes them: the plain MD5 of the bytes, lower-case hex.
#pragma once

#include <openssl/md5.h>

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace leanops {

/// Incremental MD5 on OpenSSL's assembly implementation. The low-level
/// MD5_* functions are used rather than EVP because EVP initialises
/// OpenSSL's provider and configuration machinery on first use, which costs
/// more than hashing a typical file.
class Md5 {
 public:
  Md5();
  void Update(const void* data, size_t size);
  /// Finishes the digest: 16 raw bytes.
  std::array<unsigned char, 16> Digest();
  /// Finishes the digest: 32 lower-case hex characters.
  std::string HexDigest();

 private:
  MD5_CTX ctx_;
};

/// MD5 of a byte string, as 32 lower-case hex characters.
std::string Md5Hex(std::string_view bytes);

/// True when `s` looks like a DVC md5 oid: 32 lower-case hex digits.
bool IsMd5Hex(std::string_view s);

}  // namespace leanops
