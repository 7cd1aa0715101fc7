// MD5 digests as DVC computes them: the plain MD5 of the bytes, lower-case hex.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace leanops {

/// Incremental MD5 (OpenSSL's assembly implementation).
class Md5 {
 public:
  Md5();
  void Update(const void* data, size_t size);
  /// Finishes the digest and returns 32 lower-case hex characters.
  std::string HexDigest();

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
};

/// MD5 of a byte string, as 32 lower-case hex characters.
std::string Md5Hex(std::string_view bytes);

/// True when `s` looks like a DVC md5 oid: 32 lower-case hex digits.
bool IsMd5Hex(std::string_view s);

}  // namespace leanops
