// Tests of plots: data files read as DVC's converter reads them, x/y
// inference, declarations from stage outs and top-level `plots:`, and the
// self-contained HTML page.
#include "pipeline/plots.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace leanops {
namespace {

namespace stdfs = std::filesystem;

TEST(PlotRecordsTest, CsvAsPythonCsvReadsIt) {
  auto records = ParsePlotRecords(
      "epoch,loss,note\n0,0.5,\"a, b\"\n1,0.25,\"say \"\"hi\"\"\"\n\n2,0.125\n", "logs/loss.csv");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0], Json::parse(R"({"epoch": "0", "loss": "0.5", "note": "a, b"})"));
  EXPECT_EQ(records[1]["note"], Json("say \"hi\""));
  EXPECT_TRUE(records[2]["note"].is_null());  // a short row: the missing field is None
  auto tsv = ParsePlotRecords("a\tb\r\n1\t2\r\n", "x.tsv");
  ASSERT_EQ(tsv.size(), 1u);
  EXPECT_EQ(tsv[0], Json::parse(R"({"a": "1", "b": "2"})"));
}

TEST(PlotRecordsTest, JsonListsAreMergedRowByRow) {
  // A mapping's lists of records are merged by index (dvc's get_datapoints);
  // a list whose items disagree on fields is ignored.
  auto records = ParsePlotRecords(
      R"({"train": [{"loss": 1}, {"loss": 0.5}], "meta": {"val": [{"acc": 0.1}, {"acc": 0.2}]},
          "odd": [{"a": 1}, {"b": 2}]})",
      "history.json");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1], Json::parse(R"({"loss": 0.5, "acc": 0.2})"));
  auto list = ParsePlotRecords("- {x: 1, y: 2}\n- {x: 2, y: 3}\n", "p.yaml");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1]["y"], Json(3));
}

class PlotsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/leanops-plots-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = stdfs::canonical(tmpl).string();
  }
  void TearDown() override { stdfs::remove_all(root_); }

  void Put(const std::string& rel, const std::string& data) {
    stdfs::path p = stdfs::path(root_) / rel;
    stdfs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
  }

  RevisionView View(Pipeline pipeline) {
    RevisionView view;
    view.rev = kWorkspace;
    view.root = root_;
    view.fs = &RealFs();
    pipeline.path = root_ + "/dvc.yaml";
    pipeline.display = "dvc.yaml";
    view.pipelines.push_back(std::move(pipeline));
    return view;
  }

  static OutDecl PlotOut(const std::string& path, Json props) {
    OutDecl out;
    out.path = path;
    out.kind = OutKind::kPlot;
    out.plot_props = std::move(props);
    return out;
  }

  std::string root_;
};

TEST_F(PlotsTest, StagePlotWithDefaultsUsesIndexAndLastField) {
  Put("eval/loss.csv", "loss,acc\n0.9,0.1\n0.5,0.6\n0.2,0.8\n");
  Pipeline p;
  StageDef stage;
  stage.wdir = root_ + "/eval";
  stage.outs = {PlotOut("loss.csv", Json::object())};
  p.stages.push_back(stage);
  std::vector<PlotData> plots = CollectPlots(View(p));
  ASSERT_EQ(plots.size(), 1u);
  const PlotData& plot = plots[0];
  EXPECT_EQ(plot.id, "eval/loss.csv");
  EXPECT_EQ(plot.title, "eval/loss.csv");
  EXPECT_EQ(plot.template_name, "linear");
  EXPECT_EQ(plot.x_label, "step");
  EXPECT_EQ(plot.y_label, "acc");  // the last field of the first record
  ASSERT_EQ(plot.series.size(), 1u);
  EXPECT_EQ(plot.series[0].xs, (std::vector<Json>{Json(0), Json(1), Json(2)}));
  EXPECT_EQ(plot.series[0].ys, (std::vector<Json>{Json("0.1"), Json("0.6"), Json("0.8")}));
}

TEST_F(PlotsTest, TopLevelPlotWithFilesInY) {
  Put("train.json", R"([{"epoch": 1, "acc": 0.5}, {"epoch": 2, "acc": 0.7}])");
  Put("test.json", R"([{"epoch": 1, "acc": 0.4}, {"epoch": 2, "acc": 0.6}])");
  Pipeline p;
  p.plots.push_back({"Accuracy", Json::parse(R"({"x": "epoch", "y": {"train.json": "acc",
      "test.json": "acc", "missing.json": "acc"}, "title": "Accuracy by epoch",
      "template": "scatter"})")});
  std::vector<PlotData> plots = CollectPlots(View(p));
  ASSERT_EQ(plots.size(), 1u);
  const PlotData& plot = plots[0];
  EXPECT_EQ(plot.title, "Accuracy by epoch");
  EXPECT_EQ(plot.x_label, "epoch");
  EXPECT_EQ(plot.y_label, "acc");
  EXPECT_EQ(plot.files, (std::vector<std::string>{"train.json", "test.json"}));
  ASSERT_EQ(plot.series.size(), 2u);
  EXPECT_EQ(plot.series[0].label, "train.json: acc");
  EXPECT_EQ(plot.series[1].xs, (std::vector<Json>{Json(1), Json(2)}));
  EXPECT_EQ(plot.series[1].ys, (std::vector<Json>{Json(0.4), Json(0.6)}));
  std::string html = RenderPlotsHtml(plots);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("<circle"), std::string::npos);  // scatter draws points
  EXPECT_NE(html.find("Accuracy by epoch"), std::string::npos);
}

TEST_F(PlotsTest, MissingFieldIsShownAsTheReason) {
  Put("roc.csv", "fpr,tpr\n0,0\n1,1\n");
  Pipeline p;
  p.plots.push_back({"roc.csv", Json::parse(R"({"x": "fpr", "y": "recall"})")});
  std::vector<PlotData> plots = CollectPlots(View(p));
  ASSERT_EQ(plots.size(), 1u);
  EXPECT_EQ(plots[0].error, "could not find field 'recall' in 'roc.csv' (fields: fpr, tpr)");
  EXPECT_NE(RenderPlotsHtml(plots).find("could not find field"), std::string::npos);
}

TEST_F(PlotsTest, MissingFilesAreLeftOutAndBadFilesAreErrors) {
  Pipeline p;
  p.plots.push_back({"absent.csv", Json::object()});
  EXPECT_TRUE(CollectPlots(View(p)).empty());
  Put("bad.json", "[{\"a\": 1},");
  p.plots = {{"bad.json", Json::object()}};
  try {
    CollectPlots(View(p));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kData);
    EXPECT_EQ(std::string(e.what()).rfind("bad.json:", 0), 0u) << e.what();
  }
}

TEST_F(PlotsTest, ImagesAndDirectoriesAndTopLevelOverride) {
  Put("plots/a.png", std::string("\x89PNG\r\n", 6));
  Put("plots/b.csv", "v\n1\n2\n");
  Pipeline p;
  StageDef stage;
  stage.wdir = root_;
  stage.outs = {PlotOut("plots", Json::object())};
  p.stages.push_back(stage);
  p.plots.push_back({"plots/b.csv", Json::parse(R"({"template": "simple", "title": "B"})")});
  std::vector<PlotData> plots = CollectPlots(View(p));
  ASSERT_EQ(plots.size(), 2u);
  EXPECT_EQ(plots[0].id, "plots/a.png");
  EXPECT_EQ(plots[0].image_mime, "image/png");
  EXPECT_EQ(plots[1].id, "plots/b.csv");
  EXPECT_EQ(plots[1].title, "B");  // the top-level definition replaces the stage's
  std::string html = RenderPlotsHtml(plots);
  EXPECT_NE(html.find("data:image/png;base64,iVBORw0K"), std::string::npos);
  EXPECT_NE(html.find("<polyline"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  // Nothing is loaded from elsewhere: no external sources or links.
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
}

TEST_F(PlotsTest, WritesIndexHtmlAtomically) {
  Put("m.csv", "x,y\n1,2\n2,4\n");
  Pipeline p;
  p.plots.push_back({"m.csv", Json::parse(R"({"x": "x", "y": "y"})")});
  std::vector<PlotData> plots = CollectPlots(View(p));
  std::string path = WritePlotsHtml(RealFs(), root_ + "/out/dir", plots);
  EXPECT_EQ(path, root_ + "/out/dir/index.html");
  std::ifstream in(path);
  std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(html, RenderPlotsHtml(plots));
  EXPECT_EQ(stdfs::directory_iterator(root_ + "/out/dir")->path().filename(), "index.html");
  Json json = PlotsJson(plots);
  EXPECT_EQ(json["m.csv"]["series"][0]["y"], Json::parse(R"(["2", "4"])"));
}

}  // namespace
}  // namespace leanops
