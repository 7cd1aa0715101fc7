#include "track/sql_db.h"

namespace leanops::track {

std::string SqlStart(std::string_view sql) {
  constexpr size_t kMax = 80;
  size_t end = sql.size();
  if (end > kMax) {
    end = kMax;
    while (end > 0 && (static_cast<unsigned char>(sql[end]) & 0xC0) == 0x80) --end;  // UTF-8
  }
  std::string out(sql.substr(0, end));
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (end < sql.size()) out += "...";
  return out;
}

}  // namespace leanops::track
