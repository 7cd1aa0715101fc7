// `plots show`: the plots declared by a repository's pipelines, drawn by
// leanops as inline SVG into one self-contained HTML page (no scripts, no
// network), in place of DVC's Vega-Lite page.
//
// Declarations, as DVC 3 reads them (dvc/render/converter/vega.py):
//   - stage outs under `plots:`, with props x, y, template, title, x_label,
//     y_label; a directory stands for each file inside it;
//   - top-level `plots:` entries: a file path (with optional props), or a
//     free name whose `y` (and optionally `x`) maps files to fields:
//         - roc.csv: {x: fpr, y: tpr}
//         - Accuracy: {x: step, y: {train.json: acc, test.json: acc}}
// Data files: .csv/.tsv (a header row, then values), .json/.yaml/.yml/.toml
// (a list of records, or the lists of records found in a mapping, merged
// row by row); .png/.jpg/.jpeg/.gif/.svg files are shown as images. No `x`
// means the row index, named "step"; no `y` means the last field of the
// first record. Templates: linear (default), simple, smooth (drawn as
// lines), scatter (points), bar_horizontal and bar_horizontal_sorted (bars
// of the last value per label), confusion and confusion_normalized (a
// matrix of counts of (x, y) pairs). A plot whose files are missing is left
// out; a file that cannot be parsed is a kData error naming it; a plot whose
// fields are missing or whose template leanops cannot draw is shown with
// the reason instead of a chart.
#pragma once

#include <string>
#include <vector>

#include "pipeline/metrics.h"

namespace leanops {

/// One line (or set of points) of a plot: y field `field` of `file`.
struct PlotSeries {
  std::string label;  // legend text
  std::string file;   // root-relative data file
  std::string field;
  std::vector<Json> xs;  // numbers, or strings for categorical axes
  std::vector<Json> ys;
};

struct PlotData {
  std::string id;  // root-relative file, or the free name of a top-level plot
  std::string title;
  std::string template_name;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> files;  // the data files it reads
  std::vector<PlotSeries> series;
  std::string image_mime;  // set for an image plot
  std::string image_data;  // the image's bytes
  std::string error;       // why the plot cannot be drawn ("" when it can)
};

/// Reads every plot declared by `view`'s pipelines, in declaration order
/// (stage outs first, then top-level plots). Plots with no existing data
/// file are left out.
std::vector<PlotData> CollectPlots(const RevisionView& view);

/// The rows of a data file as records, as DVC's converter finds them.
/// `name` picks the format by suffix and names the file in errors.
std::vector<Json> ParsePlotRecords(const std::string& text, const std::string& name);

/// The self-contained HTML page (UTF-8) with one SVG chart per plot.
std::string RenderPlotsHtml(const std::vector<PlotData>& plots);

/// Writes the page to `<out_dir>/index.html` atomically (creating the
/// directory) and returns that path.
std::string WritePlotsHtml(FileSystem& fs, const std::string& out_dir,
                           const std::vector<PlotData>& plots);

/// The plots as data: {id: {"template", "title", "x_label", "y_label",
/// "files", "series": [{"label", "file", "field", "x", "y"}], "error"?}}.
Json PlotsJson(const std::vector<PlotData>& plots);

}  // namespace leanops
