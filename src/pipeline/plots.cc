#include "pipeline/plots.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "core/error.h"
#include "core/html.h"
#include "data/repo.h"

namespace leanops {
namespace {

constexpr char kIndexField[] = "step";  // DVC's INDEX: the row number when no x is given

const std::vector<std::string> kPalette = {"#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
                                           "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Suffix(const std::string& path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  return Lower(path.substr(dot));
}

std::string ImageMime(const std::string& path) {
  std::string s = Suffix(path);
  if (s == ".png") return "image/png";
  if (s == ".jpg" || s == ".jpeg") return "image/jpeg";
  if (s == ".gif") return "image/gif";
  if (s == ".svg") return "image/svg+xml";
  return "";
}

// ------------------------------------------------------------ data files

// Rows of delimited text as Python's csv module reads them: quoted fields
// may hold the delimiter, doubled quotes and line breaks; empty lines are
// skipped.
std::vector<std::vector<std::string>> ParseDelimited(const std::string& text, char delimiter) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool in_quotes = false, field_started = false;
  auto end_field = [&] {
    row.push_back(field);
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    if (field_started || !row.empty()) {
      end_field();
      rows.push_back(std::move(row));
    }
    row.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      in_quotes = true;
      field_started = true;
    } else if (c == delimiter) {
      field_started = true;
      end_field();
      field_started = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_row();
    } else {
      field += c;
      field_started = true;
    }
  }
  end_row();
  return rows;
}

// The lists of a parsed file: the file itself when it is a list, else the
// lists among its values, depth first (dvc's _lists).
void FindLists(const Json& blob, std::vector<const Json*>& out) {
  if (blob.is_array()) {
    out.push_back(&blob);
    return;
  }
  if (!blob.is_object()) return;
  for (const auto& [key, value] : blob.items()) {
    if (value.is_object()) {
      FindLists(value, out);
    } else if (value.is_array()) {
      out.push_back(&value);
    }
  }
}

// A list of records that all have the same fields (dvc's _is_datapoints).
bool IsRecords(const Json& list) {
  if (list.empty() || !list[0].is_object()) return false;
  auto keys_of = [](const Json& item) {
    std::set<std::string> keys;
    for (const auto& [k, v] : item.items()) keys.insert(k);
    return keys;
  };
  std::set<std::string> first = keys_of(list[0]);
  for (const Json& item : list)
    if (!item.is_object() || keys_of(item) != first) return false;
  return true;
}

// ------------------------------------------------------------ declarations

struct AxisRef {
  std::string file;
  std::string field;
};

// {file: field} or {file: [fields]} as (file, field) pairs, in order.
std::vector<AxisRef> FileFields(const Json& spec) {
  std::vector<AxisRef> out;
  if (!spec.is_object()) return out;
  for (const auto& [file, fields] : spec.items()) {
    if (fields.is_string()) {
      out.push_back({file, fields.get<std::string>()});
    } else if (fields.is_array()) {
      for (const Json& f : fields)
        if (f.is_string()) out.push_back({file, f.get<std::string>()});
    }
  }
  return out;
}

struct Decl {
  std::string id;
  Json props;
  bool id_is_file = true;
};

std::string PropString(const Json& props, const char* key, const std::string& fallback) {
  auto it = props.find(key);
  if (it != props.end() && it->is_string()) return it->get<std::string>();
  return fallback;
}

std::string FieldList(const Json& record) {
  std::string out;
  for (const auto& [k, v] : record.items()) out += (out.empty() ? "" : ", ") + k;
  return out;
}

// File names without their common directory, as DVC shortens them for legends.
std::vector<std::string> ShortNames(const std::vector<std::string>& files) {
  std::set<std::string> distinct(files.begin(), files.end());
  if (distinct.size() < 2) return files;
  std::string common = *distinct.begin();
  for (const std::string& f : distinct) {
    size_t n = 0;
    while (n < common.size() && n < f.size() && common[n] == f[n]) ++n;
    common.resize(n);
  }
  size_t cut = common.rfind('/');
  size_t prefix = cut == std::string::npos ? 0 : cut + 1;
  std::vector<std::string> out;
  for (const std::string& f : files) out.push_back(f.substr(prefix));
  return out;
}

class PlotLoader {
 public:
  explicit PlotLoader(const RevisionView& view) : view_(view) {}

  std::vector<PlotData> Load() {
    std::vector<Decl> decls = Declarations();
    std::vector<PlotData> plots;
    for (const Decl& decl : decls) {
      PlotData plot = Build(decl);
      if (!plot.files.empty() || !plot.error.empty()) plots.push_back(std::move(plot));
    }
    return plots;
  }

 private:
  std::optional<std::string> Rel(const std::string& abs) const {
    std::string norm = NormalizePath(abs);
    if (norm.size() > view_.root.size() && norm.compare(0, view_.root.size(), view_.root) == 0 &&
        norm[view_.root.size()] == '/')
      return norm.substr(view_.root.size() + 1);
    return std::nullopt;
  }

  FileInfo Info(const std::string& rel) const {
    return view_.fs->StatFollow(view_.root + "/" + rel);
  }

  // A plot file, or each file of a plot directory.
  void AddFileDecls(const std::string& rel, const Json& props, std::vector<Decl>& out) const {
    FileInfo info = Info(rel);
    if (info.is_dir()) {
      for (const WalkEntry& e : view_.fs->Walk(view_.root + "/" + rel, {}))
        out.push_back({rel + "/" + e.relpath, props, true});
    } else {
      out.push_back({rel, props, true});  // missing files are dropped when read
    }
  }

  // Makes the file keys of an {file: field} prop root-relative.
  Json RebaseFiles(const Json& spec, const std::string& base) const {
    if (!spec.is_object()) return spec;
    Json out = Json::object();
    for (const auto& [file, fields] : spec.items())
      out[Rel(base + "/" + file).value_or(file)] = fields;
    return out;
  }

  std::vector<Decl> Declarations() const {
    std::vector<Decl> decls;
    for (const Pipeline& pipeline : view_.pipelines)
      for (const StageDef& stage : pipeline.stages)
        for (const OutDecl& out : stage.outs)
          if (out.kind == OutKind::kPlot)
            if (auto rel = Rel(stage.wdir + "/" + out.path))
              AddFileDecls(*rel, out.plot_props, decls);
    std::vector<Decl> top;
    for (const Pipeline& pipeline : view_.pipelines) {
      std::string base = DirName(pipeline.path);
      for (const PlotDecl& plot : pipeline.plots) {
        Json props = plot.props.is_object() ? plot.props : Json::object();
        if (props.contains("y") && props["y"].is_object()) {
          props["y"] = RebaseFiles(props["y"], base);
          if (props.contains("x")) props["x"] = RebaseFiles(props["x"], base);
          top.push_back({plot.id, props, false});
        } else if (auto rel = Rel(base + "/" + plot.id)) {
          AddFileDecls(*rel, props, top);
        }
      }
    }
    // A top-level definition of a stage's plot file replaces it.
    for (Decl& t : top) {
      auto same = std::find_if(decls.begin(), decls.end(),
                               [&](const Decl& d) { return d.id_is_file && d.id == t.id; });
      if (same != decls.end()) {
        *same = t;
        t.id.clear();
      }
    }
    for (Decl& t : top)
      if (!t.id.empty()) decls.push_back(std::move(t));
    return decls;
  }

  // The records of `rel`, read once; nullptr when the file does not exist.
  const std::vector<Json>* Records(const std::string& rel) {
    auto it = records_.find(rel);
    if (it != records_.end()) return it->second ? &*it->second : nullptr;
    std::optional<std::vector<Json>> records;
    if (Info(rel).is_file())
      records = ParsePlotRecords(view_.fs->ReadFile(view_.root + "/" + rel), view_.prefix + rel);
    auto [pos, inserted] = records_.emplace(rel, std::move(records));
    return pos->second ? &*pos->second : nullptr;
  }

  PlotData Build(const Decl& decl) {
    PlotData plot;
    plot.id = decl.id;
    const Json& props = decl.props;
    plot.title = PropString(props, "title", decl.id);
    plot.template_name = PropString(props, "template", "linear");

    if (decl.id_is_file) {
      std::string mime = ImageMime(decl.id);
      if (!mime.empty()) {
        if (!Info(decl.id).is_file()) return plot;
        plot.files = {decl.id};
        plot.image_mime = mime;
        plot.image_data = view_.fs->ReadFile(view_.root + "/" + decl.id);
        return plot;
      }
    }

    // y: {file: fields}; a plain field (or list) belongs to the plot's own
    // file; none means the last field of that file's first record.
    std::vector<AxisRef> ys;
    const Json y = props.contains("y") ? props["y"] : Json(nullptr);
    if (y.is_object()) {
      ys = FileFields(y);
    } else if (y.is_string() || y.is_array()) {
      ys = FileFields(Json{{decl.id, y}});
    } else if (const std::vector<Json>* records = Records(decl.id); records && !records->empty()) {
      std::string last;
      for (const auto& [k, v] : (*records)[0].items()) last = k;
      if (!last.empty()) ys.push_back({decl.id, last});
    }
    // x: {file: field}; a plain field goes with each y file; none = the index.
    std::vector<AxisRef> xs;
    const Json x = props.contains("x") ? props["x"] : Json(nullptr);
    if (x.is_object()) {
      xs = FileFields(x);
    } else if (x.is_string()) {
      if (y.is_object()) {
        for (const AxisRef& ref : ys) xs.push_back({ref.file, x.get<std::string>()});
      } else {
        xs.push_back({decl.id, x.get<std::string>()});
      }
    }

    std::set<std::string> y_fields, x_fields;
    for (const AxisRef& r : ys) y_fields.insert(r.field);
    for (const AxisRef& r : xs) x_fields.insert(r.field);
    // Labels as dvc's infer_x_label / infer_y_label: the one field, else
    // "x" / "y"; the index is "step".
    plot.y_label = PropString(props, "y_label", y_fields.size() == 1 ? *y_fields.begin() : "y");
    plot.x_label = PropString(props, "x_label",
                              xs.empty()             ? std::string(kIndexField)
                              : x_fields.size() == 1 ? *x_fields.begin()
                                                     : std::string("x"));

    for (const AxisRef& r : ys)
      if (Records(r.file) &&
          std::find(plot.files.begin(), plot.files.end(), r.file) == plot.files.end())
        plot.files.push_back(r.file);
    if (plot.files.empty()) return plot;  // no data file exists: left out

    if (xs.size() > 1 && xs.size() != ys.size()) {
      plot.error =
          fmt::format("{} x and {} y data sources: they must be as many", xs.size(), ys.size());
      return plot;
    }
    std::vector<std::string> y_files;
    for (const AxisRef& r : ys) y_files.push_back(r.file);
    std::vector<std::string> short_names = ShortNames(y_files);
    bool several_files = std::set<std::string>(y_files.begin(), y_files.end()).size() > 1;

    for (size_t i = 0; i < ys.size(); ++i) {
      const std::vector<Json>* records = Records(ys[i].file);
      if (!records) continue;
      if (!CheckField(*records, ys[i], plot)) return plot;
      PlotSeries series;
      series.file = ys[i].file;
      series.field = ys[i].field;
      series.label = several_files ? short_names[i] + ": " + ys[i].field : ys[i].field;
      const std::vector<Json>* x_records = nullptr;
      std::string x_field;
      if (!xs.empty()) {
        const AxisRef& xr = xs.size() > 1 ? xs[i] : xs[0];
        x_records = Records(xr.file);
        x_field = xr.field;
        if (!x_records) {
          plot.error = fmt::format("x data file '{}' does not exist", xr.file);
          return plot;
        }
        if (!CheckField(*x_records, xr, plot)) return plot;
        if (x_records->size() != records->size()) {
          plot.error = fmt::format(
              "cannot join '{}' from '{}' and '{}' from '{}': they have to have the same length",
              xr.field, xr.file, ys[i].field, ys[i].file);
          return plot;
        }
      }
      for (size_t row = 0; row < records->size(); ++row) {
        const Json& record = (*records)[row];
        auto yv = record.find(ys[i].field);
        series.ys.push_back(yv == record.end() ? Json(nullptr) : *yv);
        if (x_records) {
          const Json& xrec = (*x_records)[row];
          auto xv = xrec.find(x_field);
          series.xs.push_back(xv == xrec.end() ? Json(nullptr) : *xv);
        } else {
          series.xs.push_back(Json(row));
        }
      }
      plot.series.push_back(std::move(series));
    }
    return plot;
  }

  bool CheckField(const std::vector<Json>& records, const AxisRef& ref, PlotData& plot) {
    if (records.empty() || records[0].contains(ref.field)) return true;
    plot.error = fmt::format("could not find field '{}' in '{}' (fields: {})", ref.field, ref.file,
                             FieldList(records[0]));
    return false;
  }

  const RevisionView& view_;
  std::map<std::string, std::optional<std::vector<Json>>> records_;
};

// ------------------------------------------------------------ drawing

std::string Escape(const std::string& text) { return HtmlEscape(text); }

std::optional<double> ToNumber(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1.0 : 0.0;
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  s = s.substr(b, e - b + 1);
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  return d;
}

std::string Label(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return PythonStr(v);
}

std::string Num(double v) { return fmt::format("{:.2f}", v); }

struct Scale {
  double lo = 0, hi = 1;  // domain
  double a = 0, b = 1;    // range
  double operator()(double v) const {
    return hi == lo ? (a + b) / 2 : a + (v - lo) / (hi - lo) * (b - a);
  }
};

// Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi].
std::vector<double> NiceTicks(double& lo, double& hi) {
  if (!(hi > lo)) {
    double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  double raw = (hi - lo) / 5;
  double mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  std::vector<double> ticks;
  for (double t = lo; t <= hi + step / 2; t += step)
    ticks.push_back(std::abs(t) < step / 1e9 ? 0 : t);
  return ticks;
}

std::string TickText(double v, double step) {
  double mag = std::max(std::abs(v), step);
  if (mag >= 1e7 || (step < 1e-4 && v != 0)) return fmt::format("{:.3g}", v);
  int digits = step >= 1 ? 0 : static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  return fmt::format("{:.{}f}", v, digits);
}

constexpr double kWidth = 640, kHeight = 360;
constexpr double kLeft = 70, kTop = 20, kBottom = 56;

struct Frame {
  double right;  // x of the plot area's right edge
  Scale x, y;
};

// Axes, grid and labels around the plot area; returns the area's scales.
void DrawAxes(std::string& svg, const Frame& f, const std::vector<double>& xticks,
              const std::vector<std::string>& xtick_text, const std::vector<double>& yticks,
              const std::vector<std::string>& ytick_text, const std::string& x_label,
              const std::string& y_label) {
  double bottom = kHeight - kBottom;
  for (size_t i = 0; i < yticks.size(); ++i) {
    double y = f.y(yticks[i]);
    svg += fmt::format("<line stroke=\"#e6e6e6\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
                       Num(kLeft), Num(y), Num(f.right), Num(y));
    svg += fmt::format(
        "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        Num(kLeft - 6), Num(y + 4), Escape(ytick_text[i]));
  }
  for (size_t i = 0; i < xticks.size(); ++i) {
    double x = f.x(xticks[i]);
    svg += fmt::format("<line stroke=\"#888\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", Num(x),
                       Num(bottom), Num(x), Num(bottom + 5));
    svg += fmt::format(
        "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        Num(x), Num(bottom + 18), Escape(xtick_text[i]));
  }
  svg += fmt::format("<line stroke=\"#888\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", Num(kLeft),
                     Num(bottom), Num(f.right), Num(bottom));
  svg += fmt::format("<line stroke=\"#888\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>", Num(kLeft),
                     Num(kTop), Num(kLeft), Num(bottom));
  svg += fmt::format(
      "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" x=\"{}\" y=\"{}\" "
      "text-anchor=\"middle\">{}</text>",
      Num((kLeft + f.right) / 2), Num(kHeight - 12), Escape(x_label));
  svg += fmt::format(
      "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" transform=\"translate(16,{}) "
      "rotate(-90)\" "
      "text-anchor=\"middle\">{}</text>",
      Num((kTop + bottom) / 2), Escape(y_label));
}

void DrawLegend(std::string& svg, const std::vector<std::string>& labels, double x0) {
  if (labels.size() < 2) return;
  for (size_t i = 0; i < labels.size(); ++i) {
    double y = kTop + 8 + static_cast<double>(i) * 18;
    svg += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/>", Num(x0),
                       Num(y - 9), kPalette[i % kPalette.size()]);
    svg += fmt::format("<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\">{}</text>",
                       Num(x0 + 18), Num(y + 1), Escape(labels[i]));
  }
}

std::string SvgOpen(double height = kHeight, double width = kWidth) {
  return fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" role=\"img\" font-family=\"sans-serif\">",
      Num(width), Num(height));
}

// linear, simple, smooth (lines) and scatter (points).
std::string DrawXY(const PlotData& plot, bool points) {
  bool numeric_x = true;
  std::vector<std::string> categories;  // x values in first-seen order, when not numbers
  for (const PlotSeries& s : plot.series)
    for (const Json& x : s.xs)
      if (!ToNumber(x)) numeric_x = false;
  if (!numeric_x) {
    for (const PlotSeries& s : plot.series)
      for (const Json& x : s.xs)
        if (std::find(categories.begin(), categories.end(), Label(x)) == categories.end())
          categories.push_back(Label(x));
  }
  auto x_of = [&](const Json& x) -> double {
    if (numeric_x) return *ToNumber(x);
    return static_cast<double>(std::find(categories.begin(), categories.end(), Label(x)) -
                               categories.begin());
  };
  double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
  for (const PlotSeries& s : plot.series)
    for (size_t i = 0; i < s.ys.size(); ++i) {
      std::optional<double> y = ToNumber(s.ys[i]);
      if (!y || !std::isfinite(*y)) continue;
      double x = x_of(s.xs[i]);
      if (!std::isfinite(x)) continue;
      xlo = std::min(xlo, x);
      xhi = std::max(xhi, x);
      ylo = std::min(ylo, *y);
      yhi = std::max(yhi, *y);
    }
  if (!std::isfinite(xlo)) return "<p class=\"note\">No numeric values to draw.</p>";

  std::vector<std::string> labels;
  size_t legend_width = 0;
  for (const PlotSeries& s : plot.series) {
    labels.push_back(s.label);
    legend_width = std::max(legend_width, s.label.size());
  }
  double right = kWidth - 16;
  if (labels.size() > 1) right -= std::min(220.0, 30.0 + 7.0 * static_cast<double>(legend_width));

  std::vector<double> xticks;
  std::vector<std::string> xtext;
  if (numeric_x) {
    xticks = NiceTicks(xlo, xhi);
    double step = xticks.size() > 1 ? xticks[1] - xticks[0] : 1;
    for (double t : xticks) xtext.push_back(TickText(t, step));
  } else {
    xlo = -0.5;
    xhi = static_cast<double>(categories.size()) - 0.5;
    size_t every = std::max<size_t>(1, categories.size() / 10);
    for (size_t i = 0; i < categories.size(); i += every) {
      xticks.push_back(static_cast<double>(i));
      xtext.push_back(categories[i]);
    }
  }
  std::vector<double> yticks = NiceTicks(ylo, yhi);
  double ystep = yticks.size() > 1 ? yticks[1] - yticks[0] : 1;
  std::vector<std::string> ytext;
  for (double t : yticks) ytext.push_back(TickText(t, ystep));

  Frame f{right, Scale{xlo, xhi, kLeft, right}, Scale{ylo, yhi, kHeight - kBottom, kTop}};
  std::string svg = SvgOpen();
  DrawAxes(svg, f, xticks, xtext, yticks, ytext, plot.x_label, plot.y_label);
  for (size_t si = 0; si < plot.series.size(); ++si) {
    const PlotSeries& s = plot.series[si];
    const std::string& color = kPalette[si % kPalette.size()];
    std::vector<std::pair<double, double>> pts;
    for (size_t i = 0; i < s.ys.size(); ++i) {
      std::optional<double> y = ToNumber(s.ys[i]);
      double x = x_of(s.xs[i]);
      if (y && std::isfinite(*y) && std::isfinite(x)) pts.emplace_back(x, *y);
    }
    svg += fmt::format("<g class=\"series\" data-label=\"{}\">", Escape(s.label));
    if (points) {
      for (const auto& [x, y] : pts)
        svg += fmt::format(
            "<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\" fill-opacity=\"0.7\"><title>{}, "
            "{}</title></circle>",
            Num(f.x(x)), Num(f.y(y)), color, Escape(FormatPythonFloat(x)),
            Escape(FormatPythonFloat(y)));
    } else {
      // Vega-Lite draws a line in x order.
      std::stable_sort(pts.begin(), pts.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::string coords;
      for (const auto& [x, y] : pts) coords += Num(f.x(x)) + "," + Num(f.y(y)) + " ";
      if (!coords.empty()) coords.pop_back();
      svg += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"/>",
                         color, coords);
      if (pts.size() == 1)
        svg += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"3\" fill=\"{}\"/>",
                           Num(f.x(pts[0].first)), Num(f.y(pts[0].second)), color);
    }
    svg += "</g>";
  }
  DrawLegend(svg, labels, right + 16);
  return svg + "</svg>";
}

// bar_horizontal(_sorted): one bar per record, x the length, y the label.
std::string DrawBars(const PlotData& plot, bool sorted) {
  struct Bar {
    std::string label;
    double value;
    size_t series;
  };
  std::vector<Bar> bars;
  for (size_t si = 0; si < plot.series.size(); ++si) {
    const PlotSeries& s = plot.series[si];
    for (size_t i = 0; i < s.ys.size(); ++i)
      if (std::optional<double> v = ToNumber(s.xs[i]); v && std::isfinite(*v))
        bars.push_back({Label(s.ys[i]), *v, si});
  }
  if (bars.empty()) return "<p class=\"note\">No numeric values to draw.</p>";
  if (sorted)
    std::stable_sort(bars.begin(), bars.end(),
                     [](const Bar& a, const Bar& b) { return a.value > b.value; });
  double height = std::max(kHeight, kTop + kBottom + 20.0 * static_cast<double>(bars.size()));
  double lo = 0, hi = 0;
  for (const Bar& b : bars) {
    lo = std::min(lo, b.value);
    hi = std::max(hi, b.value);
  }
  std::vector<double> ticks = NiceTicks(lo, hi);
  double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  double left = 160, right = kWidth - 24, bottom = height - kBottom;
  Scale x{lo, hi, left, right};
  std::string svg = SvgOpen(height);
  for (double t : ticks) {
    svg += fmt::format("<line stroke=\"#e6e6e6\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/>",
                       Num(x(t)), Num(kTop), Num(bottom));
    svg += fmt::format(
        "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
        Num(x(t)), Num(bottom + 18), Escape(TickText(t, step)));
  }
  double band = (bottom - kTop) / static_cast<double>(bars.size());
  for (size_t i = 0; i < bars.size(); ++i) {
    double y = kTop + band * static_cast<double>(i);
    double x0 = x(std::min(0.0, bars[i].value)), x1 = x(std::max(0.0, bars[i].value));
    svg += fmt::format(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}: "
        "{}</title></rect>",
        Num(x0), Num(y + band * 0.1), Num(x1 - x0), Num(band * 0.8),
        kPalette[bars[i].series % kPalette.size()], Escape(bars[i].label),
        Escape(FormatPythonFloat(bars[i].value)));
    svg += fmt::format(
        "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
        Num(left - 6), Num(y + band / 2 + 4), Escape(bars[i].label));
  }
  svg += fmt::format(
      "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" x=\"{}\" y=\"{}\" "
      "text-anchor=\"middle\">{}</text>",
      Num((left + right) / 2), Num(height - 12), Escape(plot.x_label));
  return svg + "</svg>";
}

// confusion(_normalized): counts of (x, y) pairs per data series; the
// normalized form divides each count by its y value's total, as DVC's
// template does.
std::string DrawConfusion(const PlotData& plot, bool normalized) {
  std::string out;
  for (size_t si = 0; si < plot.series.size(); ++si) {
    const PlotSeries& s = plot.series[si];
    std::vector<std::string> xs, ys;
    std::map<std::pair<std::string, std::string>, double> counts;
    std::map<std::string, double> y_totals;
    for (size_t i = 0; i < s.ys.size(); ++i) {
      std::string xv = Label(s.xs[i]), yv = Label(s.ys[i]);
      if (std::find(xs.begin(), xs.end(), xv) == xs.end()) xs.push_back(xv);
      if (std::find(ys.begin(), ys.end(), yv) == ys.end()) ys.push_back(yv);
      counts[{xv, yv}] += 1;
      y_totals[yv] += 1;
    }
    std::sort(xs.begin(), xs.end());
    std::sort(ys.begin(), ys.end());
    double cell = std::min(48.0, 480.0 / static_cast<double>(std::max(xs.size(), ys.size()) + 1));
    double left = 120, top = 20;
    double height = top + cell * static_cast<double>(ys.size()) + 60;
    double max_value = 0;
    for (auto& [key, n] : counts) {
      if (normalized) n /= y_totals[key.second];
      max_value = std::max(max_value, n);
    }
    out += SvgOpen(height, std::max(240.0, left + cell * static_cast<double>(xs.size()) + 24));
    if (plot.series.size() > 1)
      out += fmt::format(
          "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" x=\"{}\" y=\"14\">{}</text>",
          Num(left), Escape(s.label));
    for (size_t r = 0; r < ys.size(); ++r) {
      double y = top + cell * static_cast<double>(r);
      out += fmt::format(
          "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
          Num(left - 6), Num(y + cell / 2 + 4), Escape(ys[r]));
      for (size_t c = 0; c < xs.size(); ++c) {
        double x = left + cell * static_cast<double>(c);
        auto it = counts.find({xs[c], ys[r]});
        double n = it == counts.end() ? 0 : it->second;
        double alpha = max_value > 0 ? 0.08 + 0.92 * n / max_value : 0.08;
        std::string text = normalized ? fmt::format("{:.2f}", n) : fmt::format("{}", n);
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#4c78a8\" "
            "fill-opacity=\"{:.3f}\" stroke=\"#fff\"/>",
            Num(x), Num(y), Num(cell), Num(cell), alpha);
        out += fmt::format(
            "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" "
            "text-anchor=\"middle\">{}</text>",
            Num(x + cell / 2), Num(y + cell / 2 + 4), Escape(text));
      }
    }
    double bottom = top + cell * static_cast<double>(ys.size());
    for (size_t c = 0; c < xs.size(); ++c)
      out += fmt::format(
          "<text font-size=\"11\" fill=\"#444\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
          Num(left + cell * (static_cast<double>(c) + 0.5)), Num(bottom + 16), Escape(xs[c]));
    out += fmt::format(
        "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" x=\"{}\" y=\"{}\" "
        "text-anchor=\"middle\">{}</text>",
        Num(left + cell * static_cast<double>(xs.size()) / 2), Num(bottom + 40),
        Escape(plot.x_label));
    out += fmt::format(
        "<text font-size=\"12\" font-weight=\"600\" fill=\"#333\" transform=\"translate(16,{}) "
        "rotate(-90)\" "
        "text-anchor=\"middle\">{}</text>",
        Num((top + bottom) / 2), Escape(plot.y_label));
    out += "</svg>";
  }
  return out;
}

std::string Base64(const std::string& data) {
  static const char* kChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) |
                 uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kChars[(n >> s) & 63];
  }
  if (i < data.size()) {
    uint32_t n = uint32_t(uint8_t(data[i])) << 16;
    if (i + 1 < data.size()) n |= uint32_t(uint8_t(data[i + 1])) << 8;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += i + 1 < data.size() ? kChars[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string DrawPlot(const PlotData& plot) {
  if (!plot.error.empty()) return "<p class=\"error\">" + Escape(plot.error) + "</p>";
  if (!plot.image_mime.empty())
    return fmt::format("<img alt=\"{}\" src=\"data:{};base64,{}\">", Escape(plot.id),
                       plot.image_mime, Base64(plot.image_data));
  const std::string& t = plot.template_name;
  if (t == "linear" || t == "simple" || t == "smooth") return DrawXY(plot, false);
  if (t == "scatter" || t == "scatter_jitter") return DrawXY(plot, true);
  if (t == "bar_horizontal" || t == "bar_horizontal_sorted")
    return DrawBars(plot, t == "bar_horizontal_sorted");
  if (t == "confusion" || t == "confusion_normalized")
    return DrawConfusion(plot, t == "confusion_normalized");
  return "<p class=\"error\">" +
         Escape("template '" + t +
                "' is not one leanops draws (linear, simple, smooth, scatter, bar_horizontal, "
                "bar_horizontal_sorted, confusion, confusion_normalized)") +
         "</p>";
}

constexpr char kStyle[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#222}"
    "h1{font-size:20px}h2{font-size:16px;margin:0 0 8px}"
    ".plot{display:inline-block;vertical-align:top;margin:0 24px 32px 0}"
    ".error{color:#b00020}.note{color:#666}.files{font-size:11px;color:#666;margin:4px 0 0}";

}  // namespace

std::vector<Json> ParsePlotRecords(const std::string& text, const std::string& name) {
  std::string suffix = Suffix(name);
  std::vector<Json> records;
  if (suffix == ".csv" || suffix == ".tsv") {
    auto rows = ParseDelimited(text, suffix == ".csv" ? ',' : '\t');
    if (rows.empty()) return records;
    const std::vector<std::string>& header = rows[0];
    for (size_t r = 1; r < rows.size(); ++r) {
      Json record = Json::object();
      for (size_t c = 0; c < header.size(); ++c)
        record[header[c]] = c < rows[r].size() ? Json(rows[r][c]) : Json(nullptr);
      records.push_back(std::move(record));
    }
    return records;
  }
  Json parsed = ParseParamsText(text, name);
  std::vector<const Json*> lists;
  FindLists(parsed, lists);
  for (const Json* list : lists) {
    if (!IsRecords(*list)) continue;
    for (size_t i = 0; i < list->size(); ++i) {
      if (records.size() <= i) records.push_back(Json::object());
      for (const auto& [k, v] : (*list)[i].items()) records[i][k] = v;
    }
  }
  return records;
}

std::vector<PlotData> CollectPlots(const RevisionView& view) { return PlotLoader(view).Load(); }

std::string RenderPlotsHtml(const std::vector<PlotData>& plots) {
  std::string html =
      "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<title>leanops plots</title>\n"
      "<style>";
  html += kStyle;
  html += "</style>\n</head>\n<body>\n<h1>Plots</h1>\n";
  if (plots.empty()) html += "<p class=\"note\">No plots are declared in dvc.yaml.</p>\n";
  for (const PlotData& plot : plots) {
    html += fmt::format("<div class=\"plot\" id=\"{}\">\n<h2>{}</h2>\n", Escape(plot.id),
                        Escape(plot.title));
    html += DrawPlot(plot);
    std::string files;
    for (const std::string& f : plot.files) files += (files.empty() ? "" : ", ") + f;
    if (!files.empty()) html += "\n<p class=\"files\">" + Escape(files) + "</p>";
    html += "\n</div>\n";
  }
  html += "</body>\n</html>\n";
  return html;
}

std::string WritePlotsHtml(FileSystem& fs, const std::string& out_dir,
                           const std::vector<PlotData>& plots) {
  fs.MakeDirs(out_dir);
  std::string path = out_dir + "/index.html";
  fs.WriteFileAtomic(path, RenderPlotsHtml(plots), 0644);
  return path;
}

Json PlotsJson(const std::vector<PlotData>& plots) {
  Json out = Json::object();
  for (const PlotData& plot : plots) {
    Json entry = Json::object();
    entry["template"] = plot.image_mime.empty() ? plot.template_name : "image";
    entry["title"] = plot.title;
    entry["x_label"] = plot.x_label;
    entry["y_label"] = plot.y_label;
    entry["files"] = plot.files;
    Json series = Json::array();
    for (const PlotSeries& s : plot.series)
      series.push_back(Json{{"label", s.label},
                            {"file", s.file},
                            {"field", s.field},
                            {"x", Json(s.xs)},
                            {"y", Json(s.ys)}});
    entry["series"] = std::move(series);
    if (!plot.error.empty()) entry["error"] = plot.error;
    out[plot.id] = std::move(entry);
  }
  return out;
}

}  // namespace leanops
