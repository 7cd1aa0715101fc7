#include "validate/report.h"

#include <fmt/format.h>

#include "core/html.h"

namespace leanops::validate {
namespace {

std::string Short(const Json& value, size_t width = 80) {
  std::string text = value.dump();
  return text.size() > width ? text.substr(0, width - 3) + "..." : text;
}

std::string Subject(const Json& config) {
  const Json& kwargs = config.at("kwargs");
  std::string type = config.at("expectation_type").get<std::string>();
  for (const char* key : {"column", "column_list", "column_set"}) {
    auto it = kwargs.find(key);
    if (it != kwargs.end()) {
      return fmt::format("{}({})", type, it->is_string() ? it->get<std::string>() : Short(*it, 40));
    }
  }
  if (kwargs.contains("column_A")) {
    return fmt::format("{}({}, {})", type, kwargs.at("column_A").get<std::string>(),
                       kwargs.at("column_B").get<std::string>());
  }
  return type;
}

}  // namespace

std::string DescribeResult(const Json& r) {
  const Json& exception = r.at("exception_info");
  if (exception.value("raised_exception", false)) {
    return "could not be evaluated: " + exception.value("exception_message", std::string());
  }
  const Json& result = r.at("result");
  if (result.contains("unexpected_count")) {
    // The percent is of the values considered: without the nulls, except
    // for the null checks (GX's rule), so the count shown is the same.
    const size_t rows = result.at("element_count").get<size_t>();
    const size_t missing = result.value("missing_count", size_t{0});
    std::string text = fmt::format("{} unexpected of {}{}", result.at("unexpected_count").dump(),
                                   rows - missing, missing == 0 ? "" : " non-null values");
    const Json& percent = result.value("unexpected_percent", Json());
    std::string nulls = missing == 0 ? "" : fmt::format(", {} null left out", missing);
    if (percent.is_number()) {
      text += fmt::format(" ({:.4g}%{})", percent.get<double>(), nulls);
    } else if (missing != 0) {
      text += fmt::format(" ({} null left out)", missing);
    }
    const Json& partial = result.value("partial_unexpected_list", Json::array());
    if (!partial.empty()) {
      Json sample = Json::array();
      for (size_t i = 0; i < partial.size() && i < 5; ++i) sample.push_back(partial[i]);
      text += ", e.g. " + Short(sample);
    }
    return text;
  }
  if (result.contains("observed_value")) return "observed " + Short(result.at("observed_value"));
  return "";
}

std::string RenderTextSummary(const Json& validation) {
  std::string out;
  const Json& meta = validation.at("meta");
  out += fmt::format(
      "Validated {} ({} rows) against suite {}\n", meta.value("data_asset_name", std::string()),
      meta.value("row_count", Json(0)).dump(), meta.value("expectation_suite_name", std::string()));
  for (const Json& r : validation.at("results")) {
    std::string detail = DescribeResult(r);
    out += fmt::format("  {:4} {}{}\n", r.at("success").get<bool>() ? "ok" : "FAIL",
                       Subject(r.at("expectation_config")), detail.empty() ? "" : ": " + detail);
  }
  const Json& stats = validation.at("statistics");
  const Json& percent = stats.at("success_percent");
  out += fmt::format("{} of {} expectations met{}\n", stats.at("successful_expectations").dump(),
                     stats.at("evaluated_expectations").dump(),
                     percent.is_number() ? fmt::format(" ({:.1f}%)", percent.get<double>()) : "");
  return out;
}

std::string RenderHtmlReport(const Json& validation) {
  const Json& meta = validation.at("meta");
  const Json& stats = validation.at("statistics");
  const bool success = validation.at("success").get<bool>();
  std::string suite = meta.value("expectation_suite_name", std::string());
  std::string html =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n<title>Validation: " +
      HtmlEscape(suite) +
      "</title>\n<style>\n"
      "body{font-family:system-ui,sans-serif;margin:2em;color:#222}\n"
      "table{border-collapse:collapse;width:100%}\n"
      "td,th{border:1px solid #ccc;padding:.4em .6em;text-align:left;vertical-align:top}\n"
      "th{background:#f3f3f3}\n.ok{color:#0a7d32;font-weight:bold}\n"
      ".fail{color:#c0262d;font-weight:bold}\ncode{font-size:90%;white-space:pre-wrap}\n"
      "</style></head><body>\n";
  html += fmt::format("<h1>Suite <code>{}</code>: <span class=\"{}\">{}</span></h1>\n",
                      HtmlEscape(suite), success ? "ok" : "fail", success ? "passed" : "failed");
  html += fmt::format("<p>Data: <code>{}</code>, {} rows. Validated {} with leanops {}.</p>\n",
                      HtmlEscape(meta.value("data_asset_name", std::string())),
                      HtmlEscape(meta.value("row_count", Json(0)).dump()),
                      HtmlEscape(meta.value("validation_time", std::string())),
                      HtmlEscape(meta.value("leanops_version", std::string())));
  html += fmt::format("<p>{} of {} expectations met.</p>\n",
                      HtmlEscape(stats.at("successful_expectations").dump()),
                      HtmlEscape(stats.at("evaluated_expectations").dump()));
  html +=
      "<table>\n<tr><th>Status</th><th>Expectation</th><th>Arguments</th><th>Result</th></tr>\n";
  for (const Json& r : validation.at("results")) {
    const bool ok = r.at("success").get<bool>();
    const Json& config = r.at("expectation_config");
    html += fmt::format(
        "<tr><td class=\"{}\">{}</td><td><code>{}</code></td><td><code>{}</code></td>"
        "<td>{}</td></tr>\n",
        ok ? "ok" : "fail", ok ? "ok" : "FAIL",
        HtmlEscape(config.at("expectation_type").get<std::string>()),
        HtmlEscape(config.at("kwargs").dump(1)), HtmlEscape(DescribeResult(r)));
  }
  html += "</table>\n</body></html>\n";
  return html;
}

}  // namespace leanops::validate
