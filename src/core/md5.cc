// OpenSSL 3 marks the MD5_* functions deprecated in favour of EVP; see md5.h
// for why they are used here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "core/md5.h"

namespace leanops {

Md5::Md5() { MD5_Init(&ctx_); }

void Md5::Update(const void* data, size_t size) { MD5_Update(&ctx_, data, size); }

std::array<unsigned char, 16> Md5::Digest() {
  std::array<unsigned char, 16> digest;
  MD5_Final(digest.data(), &ctx_);
  return digest;
}

std::string Md5::HexDigest() {
  static const char kHex[] = "0123456789abcdef";
  std::array<unsigned char, 16> digest = Digest();
  std::string hex(32, '0');
  for (size_t i = 0; i < 16; ++i) {
    hex[2 * i] = kHex[digest[i] >> 4];
    hex[2 * i + 1] = kHex[digest[i] & 15];
  }
  return hex;
}

std::string Md5Hex(std::string_view bytes) {
  Md5 md5;
  md5.Update(bytes.data(), bytes.size());
  return md5.HexDigest();
}

bool IsMd5Hex(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace leanops
