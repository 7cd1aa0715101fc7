#include "table/value_format.h"

#include <fmt/format.h>

#include <chrono>

namespace leanops::table {

std::string FormatDate(int64_t days) {
  std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

std::string FormatTimestamp(int64_t micros) {
  constexpr int64_t kMicrosPerDay = 86400000000;
  // Floor division: a time before 1970 belongs to the day that starts before it.
  int64_t days =
      micros >= 0 ? micros / kMicrosPerDay : -((-micros + kMicrosPerDay - 1) / kMicrosPerDay);
  int64_t rest = micros - days * kMicrosPerDay;
  int64_t seconds = rest / 1000000;
  int64_t fraction = rest % 1000000;
  std::string text = fmt::format("{}T{:02}:{:02}:{:02}", FormatDate(days), seconds / 3600,
                                 seconds / 60 % 60, seconds % 60);
  if (fraction != 0) text += fmt::format(".{:06}", fraction);
  return text;
}

}  // namespace leanops::table
