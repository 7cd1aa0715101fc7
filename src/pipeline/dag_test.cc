// Tests of the pipeline graph: edges from outputs to the stages that read
// them (same path, a file inside an output directory, a directory holding
// an output), order, cycles, duplicate and overlapping outputs, planning,
// resolving targets and the renderings.
#include "pipeline/dag.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "pipeline/test_util.h"

namespace leanops {
namespace {

using pipeline_test::DataError;
using pipeline_test::TempDir;
using Strings = std::vector<std::string>;

class DagTest : public testing::Test {
 protected:
  void SetUp() override {
    char buffer[4096];
    ASSERT_NE(getcwd(buffer, sizeof buffer), nullptr);
    old_cwd_ = buffer;
  }
  void TearDown() override { EXPECT_EQ(chdir(old_cwd_.c_str()), 0); }

  // Adds a dvc.yaml at `rel` ("dvc.yaml", "sub/dvc.yaml") with `text`.
  void AddFile(const std::string& rel, const std::string& text) {
    pipelines_.push_back(ParsePipeline(RealFs(), text, dir_ / rel, rel));
  }
  PipelineGraph Graph() { return PipelineGraph(pipelines_); }

  static Strings Addresses(const PipelineGraph& g, const std::vector<size_t>& indices) {
    Strings out;
    for (size_t i : indices) out.push_back(g.node(i).address);
    return out;
  }
  static size_t Index(const PipelineGraph& g, const std::string& address) {
    for (size_t i = 0; i < g.nodes().size(); ++i)
      if (g.node(i).address == address) return i;
    ADD_FAILURE() << "no stage " << address;
    return 0;
  }
  static Strings Upstream(const PipelineGraph& g, const std::string& address) {
    Strings out = Addresses(g, g.node(Index(g, address)).upstream);
    std::sort(out.begin(), out.end());
    return out;
  }
  static Strings Downstream(const PipelineGraph& g, const std::string& address) {
    Strings out = Addresses(g, g.node(Index(g, address)).downstream);
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string GraphError() {
    return DataError([&] { PipelineGraph g(pipelines_); });
  }

  TempDir dir_;
  std::string old_cwd_;
  std::vector<Pipeline> pipelines_;
};

// a -> b -> c, and d on its own.
constexpr char kChain[] =
    "stages:\n"
    "  a:\n"
    "    cmd: gen\n"
    "    outs: [raw.csv]\n"
    "  b:\n"
    "    cmd: prep\n"
    "    deps: [raw.csv]\n"
    "    outs: [features]\n"
    "  c:\n"
    "    cmd: train\n"
    "    deps: [features]\n"
    "    outs: [model.bin]\n"
    "  d:\n"
    "    cmd: other\n"
    "    outs: [other.txt]\n";

TEST(PathsOverlapTest, SameInsideOrSibling) {
  EXPECT_TRUE(PathsOverlap("/r/a", "/r/a"));
  EXPECT_TRUE(PathsOverlap("/r/a", "/r/a/b"));
  EXPECT_TRUE(PathsOverlap("/r/a/b/c", "/r/a"));
  EXPECT_FALSE(PathsOverlap("/r/a", "/r/ab"));
  EXPECT_FALSE(PathsOverlap("/r/a-x", "/r/a/x"));
  EXPECT_FALSE(PathsOverlap("/r/a", "/r/b"));
  EXPECT_TRUE(PathsOverlap("/", "/r"));
}

TEST_F(DagTest, EdgeBySamePath) {
  AddFile("dvc.yaml", kChain);
  PipelineGraph g = Graph();
  ASSERT_EQ(g.nodes().size(), 4u);
  EXPECT_EQ(Upstream(g, "b"), Strings{"a"});
  EXPECT_EQ(Downstream(g, "a"), Strings{"b"});
  EXPECT_EQ(Upstream(g, "c"), Strings{"b"});
  EXPECT_TRUE(Upstream(g, "a").empty());
  EXPECT_TRUE(Upstream(g, "d").empty());
  EXPECT_TRUE(Downstream(g, "d").empty());
  EXPECT_EQ(g.node(Index(g, "b")).dep_paths, Strings{dir_ / "raw.csv"});
  EXPECT_EQ(g.node(Index(g, "b")).out_paths, Strings{dir_ / "features"});
}

TEST_F(DagTest, EdgeWhenTheDepIsInsideAnOutputDirectory) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  make:\n"
          "    cmd: x\n"
          "    outs: [data]\n"
          "  use:\n"
          "    cmd: y\n"
          "    deps: [data/sub/file.csv]\n"
          "  sibling:\n"
          "    cmd: z\n"
          "    deps: [data2, datafile]\n");
  PipelineGraph g = Graph();
  EXPECT_EQ(Upstream(g, "use"), Strings{"make"});
  EXPECT_TRUE(Upstream(g, "sibling").empty());
}

TEST_F(DagTest, EdgeWhenTheDepIsADirectoryHoldingOutputs) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  one:\n"
          "    cmd: x\n"
          "    outs: [data/one.csv]\n"
          "  two:\n"
          "    cmd: x\n"
          "    outs: [data/deep/two.csv]\n"
          "  other:\n"
          "    cmd: x\n"
          "    outs: [data-other/x.csv]\n"
          "  all:\n"
          "    cmd: y\n"
          "    deps: [data]\n");
  PipelineGraph g = Graph();
  EXPECT_EQ(Upstream(g, "all"), (Strings{"one", "two"}));
}

TEST_F(DagTest, PathsResolveAgainstWdir) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  gen:\n"
          "    cmd: x\n"
          "    wdir: sub\n"
          "    outs: [out.txt]\n"
          "  use:\n"
          "    cmd: y\n"
          "    deps: [sub/out.txt]\n"
          "  use2:\n"
          "    cmd: z\n"
          "    wdir: other\n"
          "    deps: [../sub/out.txt]\n");
  PipelineGraph g = Graph();
  EXPECT_EQ(Upstream(g, "use"), Strings{"gen"});
  EXPECT_EQ(Upstream(g, "use2"), Strings{"gen"});
}

TEST_F(DagTest, EdgesAcrossDvcYamlFiles) {
  AddFile("dvc.yaml", "stages:\n  train:\n    cmd: t\n    deps: [sub/features]\n");
  AddFile("sub/dvc.yaml", "stages:\n  featurize:\n    cmd: f\n    outs: [features]\n");
  PipelineGraph g = Graph();
  EXPECT_EQ(g.node(0).address, "train");
  EXPECT_EQ(g.node(1).address, "sub/dvc.yaml:featurize");
  EXPECT_EQ(Upstream(g, "train"), Strings{"sub/dvc.yaml:featurize"});
  EXPECT_EQ(Addresses(g, g.Plan({}, true, false, false)),
            (Strings{"sub/dvc.yaml:featurize", "train"}));
}

TEST_F(DagTest, IndependentStagesKeepDefinitionOrder) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  z:\n    cmd: x\n"
          "  a:\n    cmd: x\n"
          "  m:\n    cmd: x\n");
  PipelineGraph g = Graph();
  EXPECT_EQ(Addresses(g, g.Plan({}, true, false, false)), (Strings{"z", "a", "m"}));
}

TEST_F(DagTest, ProducersComeFirstWhateverTheDefinitionOrder) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  train:\n"
          "    cmd: t\n"
          "    deps: [features]\n"
          "  lone:\n"
          "    cmd: l\n"
          "  prep:\n"
          "    cmd: p\n"
          "    outs: [features]\n"
          "  last:\n"
          "    cmd: z\n");
  PipelineGraph g = Graph();
  Strings order = Addresses(g, g.Plan({}, true, false, false));
  ASSERT_EQ(order.size(), 4u);
  auto pos = [&](const std::string& s) {
    return std::find(order.begin(), order.end(), s) - order.begin();
  };
  EXPECT_LT(pos("prep"), pos("train"));
  EXPECT_LT(pos("lone"), pos("last"));
  // Deterministic: the same graph gives the same order.
  EXPECT_EQ(Addresses(g, g.Plan({}, true, false, false)), order);
}

TEST_F(DagTest, CycleErrorNamesTheCycle) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  a:\n"
          "    cmd: x\n"
          "    deps: [b.out]\n"
          "    outs: [a.out]\n"
          "  b:\n"
          "    cmd: y\n"
          "    deps: [a.out]\n"
          "    outs: [b.out]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("cycle"), std::string::npos) << message;
  EXPECT_TRUE(message.find("a -> b -> a") != std::string::npos ||
              message.find("b -> a -> b") != std::string::npos)
      << message;
}

TEST_F(DagTest, LongerCycleIsNamedWhole) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  free:\n"
          "    cmd: w\n"
          "    outs: [free.out]\n"
          "  a:\n"
          "    cmd: x\n"
          "    deps: [c.out, free.out]\n"
          "    outs: [a.out]\n"
          "  b:\n"
          "    cmd: y\n"
          "    deps: [a.out]\n"
          "    outs: [b.out]\n"
          "  c:\n"
          "    cmd: z\n"
          "    deps: [b.out]\n"
          "    outs: [c.out]\n");
  std::string message = GraphError();
  EXPECT_TRUE(message.find("a -> b -> c -> a") != std::string::npos ||
              message.find("b -> c -> a -> b") != std::string::npos ||
              message.find("c -> a -> b -> c") != std::string::npos)
      << message;
  EXPECT_EQ(message.find("free"), std::string::npos) << message;
}

TEST_F(DagTest, DependingOnOwnOutputIsAnError) {
  AddFile("dvc.yaml", "stages:\n  a:\n    cmd: x\n    deps: [data/in]\n    outs: [data]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("'a'"), std::string::npos) << message;
}

TEST_F(DagTest, DuplicateOutputsAreAnError) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  a:\n    cmd: x\n    outs: [model.bin]\n"
          "  b:\n    cmd: y\n    metrics: [model.bin]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("model.bin"), std::string::npos) << message;
  EXPECT_NE(message.find("'a'"), std::string::npos) << message;
  EXPECT_NE(message.find("'b'"), std::string::npos) << message;

  pipelines_.clear();
  AddFile("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [m, m]\n");
  message = GraphError();
  EXPECT_NE(message.find("twice"), std::string::npos) << message;
}

TEST_F(DagTest, DuplicateOutputsAcrossFilesAreAnError) {
  AddFile("dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [sub/m]\n");
  AddFile("sub/dvc.yaml", "stages:\n  b:\n    cmd: y\n    outs: [m]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("sub/dvc.yaml:b"), std::string::npos) << message;
}

TEST_F(DagTest, OverlappingOutputsAreAnError) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  a:\n    cmd: x\n    outs: [data]\n"
          "  b:\n    cmd: y\n    outs: [data/part.csv]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("overlapping"), std::string::npos) << message;
  EXPECT_NE(message.find("'a'"), std::string::npos) << message;
  EXPECT_NE(message.find("'b'"), std::string::npos) << message;
}

TEST_F(DagTest, OverlappingOutputsFoundPastASiblingThatSortsBetween) {
  // "/r/data-x" sorts between "/r/data" and "/r/data/y" ('-' < '/'), so the
  // overlap of data and data/y is not between neighbours in sorted order.
  AddFile("dvc.yaml",
          "stages:\n"
          "  a:\n    cmd: x\n    outs: [data]\n"
          "  b:\n    cmd: y\n    outs: [data-x]\n"
          "  c:\n    cmd: z\n    outs: [data/y]\n");
  std::string message = GraphError();
  EXPECT_NE(message.find("overlapping"), std::string::npos) << message;
}

TEST_F(DagTest, PlanUpstreamSingleDownstreamAll) {
  AddFile("dvc.yaml", kChain);
  PipelineGraph g = Graph();
  size_t b = Index(g, "b");
  EXPECT_EQ(Addresses(g, g.Plan({b}, false, false, false)), (Strings{"a", "b"}));
  EXPECT_EQ(Addresses(g, g.Plan({b}, false, true, false)), Strings{"b"});
  EXPECT_EQ(Addresses(g, g.Plan({b}, false, false, true)), (Strings{"b", "c"}));
  EXPECT_EQ(Addresses(g, g.Plan({}, true, false, false)), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(Addresses(g, g.Plan({Index(g, "c"), Index(g, "d")}, false, false, false)),
            (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(Addresses(g, g.Plan({Index(g, "a")}, false, false, true)), (Strings{"a", "b", "c"}));
}

TEST_F(DagTest, ResolveNamesFilesAndGroups) {
  AddFile("dvc.yaml",
          "stages:\n"
          "  prep:\n"
          "    cmd: p\n"
          "  build:\n"
          "    foreach: [x, y]\n"
          "    do:\n"
          "      cmd: b ${item}\n"
          "  builder:\n"
          "    cmd: q\n");
  AddFile("sub/dvc.yaml", "stages:\n  prep:\n    cmd: s\n  gen:\n    cmd: g\n");
  PipelineGraph g = Graph();
  std::filesystem::create_directories(dir_ / "sub");
  ASSERT_EQ(chdir(dir_.path().c_str()), 0);
  const std::string root = dir_.path();
  EXPECT_EQ(Addresses(g, g.Resolve({"build@y"}, root)), Strings{"build@y"});
  // A foreach group name selects every instance, and not stages that merely
  // share the prefix.
  EXPECT_EQ(Addresses(g, g.Resolve({"build"}, root)), (Strings{"build@x", "build@y"}));
  EXPECT_EQ(Addresses(g, g.Resolve({"dvc.yaml:prep"}, root)), Strings{"prep"});
  EXPECT_EQ(Addresses(g, g.Resolve({"sub/dvc.yaml:prep"}, root)), Strings{"sub/dvc.yaml:prep"});
  EXPECT_EQ(Addresses(g, g.Resolve({"sub/dvc.yaml"}, root)),
            (Strings{"sub/dvc.yaml:prep", "sub/dvc.yaml:gen"}));
  EXPECT_EQ(Addresses(g, g.Resolve({"sub/dvc.yaml:gen", "builder"}, root)),
            (Strings{"sub/dvc.yaml:gen", "builder"}));
  // The same name in two files: the root one from the root...
  EXPECT_EQ(Addresses(g, g.Resolve({"prep"}, root)), Strings{"prep"});
  // ...and the one in the current directory's dvc.yaml from there.
  ASSERT_EQ(chdir((dir_ / "sub").c_str()), 0);
  EXPECT_EQ(Addresses(g, g.Resolve({"prep"}, root)), Strings{"sub/dvc.yaml:prep"});
  EXPECT_EQ(Addresses(g, g.Resolve({"dvc.yaml:gen"}, root)), Strings{"sub/dvc.yaml:gen"});
  // A name only in the root file is found from a subdirectory too.
  EXPECT_EQ(Addresses(g, g.Resolve({"builder"}, root)), Strings{"builder"});

  std::string message = DataError([&] { g.Resolve({"nothing"}, root); });
  EXPECT_NE(message.find("nothing"), std::string::npos) << message;
  DataError([&] { g.Resolve({"dvc.yaml:nothing"}, root); });
  DataError([&] { g.Resolve({"build@z"}, root); });
}

TEST_F(DagTest, RenderingsContainTheEdges) {
  AddFile("dvc.yaml", kChain);
  PipelineGraph g = Graph();
  EXPECT_EQ(g.RenderText({}),
            "+ a\n"
            "  -> b\n"
            "+ b\n"
            "  -> c\n"
            "+ c\n"
            "+ d\n");
  std::string dot = g.RenderDot({});
  EXPECT_EQ(dot.rfind("strict digraph", 0), 0u) << dot;
  EXPECT_NE(dot.find("\"a\" -> \"b\";"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"b\" -> \"c\";"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"d\";"), std::string::npos) << dot;
  EXPECT_EQ(dot.find("\"c\" -> "), std::string::npos) << dot;
  std::string mermaid = g.RenderMermaid({});
  EXPECT_EQ(mermaid.rfind("flowchart TD\n", 0), 0u) << mermaid;
  size_t a = Index(g, "a"), b = Index(g, "b"), c = Index(g, "c");
  EXPECT_NE(mermaid.find(fmt::format("node{}[\"a\"]", a)), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find(fmt::format("node{}-->node{}", a, b)), std::string::npos) << mermaid;
  EXPECT_NE(mermaid.find(fmt::format("node{}-->node{}", b, c)), std::string::npos) << mermaid;

  // A subset leaves out the other stages and their edges.
  std::string sub = g.RenderDot({b, c});
  EXPECT_EQ(sub.find("\"a\""), std::string::npos) << sub;
  EXPECT_NE(sub.find("\"b\" -> \"c\";"), std::string::npos) << sub;
  EXPECT_EQ(g.RenderText({b, c}), "+ b\n  -> c\n+ c\n");
}

TEST_F(DagTest, RenderQuotesAddresses) {
  AddFile("sub/dvc.yaml", "stages:\n  a:\n    cmd: x\n    outs: [o]\n");
  AddFile("dvc.yaml", "stages:\n  b:\n    cmd: y\n    deps: [sub/o]\n");
  PipelineGraph g = Graph();
  std::string dot = g.RenderDot({});
  EXPECT_NE(dot.find("\"sub/dvc.yaml:a\" -> \"b\";"), std::string::npos) << dot;
  EXPECT_EQ(g.RenderText({}), "+ sub/dvc.yaml:a\n  -> b\n+ b\n");
}

}  // namespace
}  // namespace leanops
