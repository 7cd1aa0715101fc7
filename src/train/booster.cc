#include "train/booster.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "core/error.h"
#include "train/split.h"
#include "train/xgboost_library.h"

namespace leanops::train {
namespace {

// XGBoost returns -1 and keeps the message; its messages carry a source
// location line first ("[12:00:00] ../src/learner.cc:123: Invalid ..."),
// which means nothing to a user.
[[noreturn]] void ThrowXGBoost(const char* what, std::string message = XGBoost().get_last_error()) {
  size_t location_end = message.find(": ");
  if (message.starts_with("[") && location_end != std::string::npos)
    message = message.substr(location_end + 2);
  // Builds with backtraces append one after the message: not for users.
  if (size_t trace = message.find("Stack trace:"); trace != std::string::npos)
    message.resize(trace);
  while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
    message.pop_back();
  ThrowData("XGBoost {}: {}", what, message);
}

void Check(int rc, const char* what) {
  if (rc != 0) ThrowXGBoost(what);
}

// NumPy's __array_interface__ (version 3) of a row-major float32 matrix,
// read-only, as XGBoost's C API takes dense data.
std::string ArrayInterface(const Matrix<float>& m) {
  return fmt::format(R"({{"data": [{}, true], "shape": [{}, {}], "typestr": "<f4", "version": 3}})",
                     reinterpret_cast<uintptr_t>(m.values.data()), m.rows, m.cols);
}

// An owned DMatrix over a Matrix<float>, through XGBoost's array interface
// (no copy into an intermediate; XGBoost builds its own storage from it).
class DMatrix {
 public:
  DMatrix(const Matrix<float>& m, int jobs) {
    std::string config = fmt::format(R"({{"missing": NaN, "nthread": {}}})", jobs);
    Check(XGBoost().dmatrix_create_from_dense(ArrayInterface(m).c_str(), config.c_str(), &handle_),
          "cannot take the feature matrix");
  }
  // Only XGBoost's histogram index of `m` (a QuantileDMatrix): each
  // feature's quantile cuts and each value's bin, built on `jobs` threads
  // straight from the rows, without the CSR copy a DMatrix keeps. Hist
  // training reads nothing else, and since the index exists from the start,
  // boosters on several threads can share the DMatrix. With `cuts_from`,
  // the cuts are that Quantized DMatrix's, and only the bins are computed.
  static DMatrix Quantized(const Matrix<float>& m, int jobs, int max_bin,
                           const DMatrix* cuts_from = nullptr);
  ~DMatrix() {
    if (handle_) XGBoost().dmatrix_free(handle_);
  }
  DMatrix(DMatrix&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;

  void SetFloats(const char* field, std::span<const float> values) {
    Check(XGBoost().dmatrix_set_float_info(handle_, field, values.data(), values.size()),
          "cannot take the labels");
  }
  DMatrixHandle get() const { return handle_; }

 private:
  explicit DMatrix(DMatrixHandle handle) : handle_(handle) {}
  DMatrixHandle handle_ = nullptr;
};

// XGBoost pulls a QuantileDMatrix's rows from an iterator, in batches set
// on a proxy DMatrix; here the one batch is the whole matrix.
struct SingleBatch {
  DMatrixHandle proxy = nullptr;
  std::string array_interface;
  bool given = false;
  std::string error;  // XGBoost's message when the proxy refused the batch
};

void ResetBatch(DataIterHandle iter) { static_cast<SingleBatch*>(iter)->given = false; }

// 1: the proxy holds the next batch; 0: no batch is left.
int NextBatch(DataIterHandle iter) {
  auto* batch = static_cast<SingleBatch*>(iter);
  if (batch->given) return 0;
  batch->given = true;
  if (XGBoost().proxy_dmatrix_set_data_dense(batch->proxy, batch->array_interface.c_str()) == 0)
    return 1;
  // XGBoost's own error for an empty iteration would replace this one.
  batch->error = XGBoost().get_last_error();
  return 0;
}

DMatrix DMatrix::Quantized(const Matrix<float>& m, int jobs, int max_bin,
                           const DMatrix* cuts_from) {
  const XGBoostLibrary& xgb = XGBoost();
  SingleBatch batch;
  Check(xgb.proxy_dmatrix_create(&batch.proxy), "cannot create a proxy DMatrix");
  DMatrix proxy(batch.proxy);
  batch.array_interface = ArrayInterface(m);
  std::string config =
      fmt::format(R"({{"missing": NaN, "nthread": {}, "max_bin": {}}})", jobs, max_bin);
  DMatrixHandle handle = nullptr;
  DMatrixHandle ref = cuts_from ? cuts_from->get() : nullptr;
  if (xgb.quantile_dmatrix_create_from_callback(&batch, batch.proxy, ref, ResetBatch, NextBatch,
                                                config.c_str(), &handle) != 0) {
    if (!batch.error.empty()) ThrowXGBoost("cannot take the feature matrix", batch.error);
    ThrowXGBoost("cannot take the feature matrix");
  }
  return DMatrix(handle);
}

std::string ParamIn(const XGBoostParams& params, const std::string& key,
                    const std::string& otherwise) {
  for (const auto& [k, v] : params)
    if (k == key) return v;
  return otherwise;
}

// XGBoost's default is 256 bins per feature.
int MaxBin(const XGBoostParams& params) { return std::stoi(ParamIn(params, "max_bin", "256")); }

int ThreadsIn(const XGBoostParams& params) {
  for (const auto& [key, value] : params)
    if (key == "nthread") return std::stoi(value);
  return 0;
}

// "[3]\tvalid-logloss:0.4123" -> 0.4123 (the first metric).
double ParseEvalScore(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nan("");
  size_t end = text.find_first_of("\t ", colon);
  std::string number(text.substr(colon + 1, end == std::string_view::npos ? end : end - colon - 1));
  return std::strtod(number.c_str(), nullptr);
}

// The learner's saved config, as XGBoost 1.x and 2.x write it; what is
// read from it: learner.objective.name and learner.learner_model_param.
// num_class (a number as text). A booster without them cannot be scored.
nlohmann::json SavedConfig(void* handle) {
  bst_ulong length = 0;
  const char* text = nullptr;
  Check(XGBoost().booster_save_json_config(handle, &length, &text), "cannot read its config");
  nlohmann::json config = nlohmann::json::parse(std::string_view(text, length), nullptr, false);
  if (!config.is_object() || !config["learner"].is_object())
    ThrowData("the booster's config is not XGBoost's (no learner section)");
  return config;
}

// A booster caching `cached` (the first is the training data), with `params`.
BoosterHandle CreateBooster(std::span<const DMatrixHandle> cached, const XGBoostParams& params) {
  const XGBoostLibrary& xgb = XGBoost();
  BoosterHandle handle = nullptr;
  Check(xgb.booster_create(cached.data(), cached.size(), &handle), "cannot create a booster");
  for (const auto& [key, value] : params) {
    if (xgb.booster_set_param(handle, key.c_str(), value.c_str()) != 0) {
      xgb.booster_free(handle);
      ThrowXGBoost(fmt::format("rejects {}={}", key, value).c_str());
    }
  }
  return handle;
}

}  // namespace

Booster::Booster(void* handle) : handle_(handle) {}
Booster::Booster(Booster&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
Booster& Booster::operator=(Booster&& other) noexcept {
  std::swap(handle_, other.handle_);
  return *this;
}
Booster::~Booster() {
  if (handle_) XGBoost().booster_free(handle_);
}

Booster Booster::Train(const BoosterData& data, const XGBoostParams& params, int rounds,
                       const RoundCallback& after_round) {
  const XGBoostLibrary& xgb = XGBoost();
  int jobs = ThreadsIn(params);
  // Hist, the default, needs only the histogram index; the other tree
  // methods read the values.
  DMatrix train = ParamIn(params, "tree_method", "hist") == "hist"
                      ? DMatrix::Quantized(*data.features, jobs, MaxBin(params))
                      : DMatrix(*data.features, jobs);
  train.SetFloats("label", data.labels);
  if (!data.weights.empty()) train.SetFloats("weight", data.weights);
  std::unique_ptr<DMatrix> valid;
  if (data.valid_features) {
    valid = std::make_unique<DMatrix>(*data.valid_features, jobs);
    valid->SetFloats("label", data.valid_labels);
  }
  DMatrixHandle cached[2] = {train.get(), valid ? valid->get() : nullptr};
  Booster booster(CreateBooster(std::span(cached, valid ? 2 : 1), params));
  BoosterHandle handle = booster.handle_;
  for (int round = 0; round < rounds; ++round) {
    Check(xgb.booster_update_one_iter(handle, round, train.get()), "training failed");
    if (!valid || !after_round) continue;
    DMatrixHandle eval_sets[1] = {valid->get()};
    const char* names[1] = {"valid"};
    const char* result = nullptr;
    Check(xgb.booster_eval_one_iter(handle, round, eval_sets, names, 1, &result),
          "cannot score the validation set");
    if (!after_round(round, ParseEvalScore(result))) break;
  }
  return booster;
}

namespace {

XGBoostParams Without(XGBoostParams params, std::initializer_list<std::string_view> keys) {
  std::erase_if(params, [&](const auto& p) {
    return std::find(keys.begin(), keys.end(), p.first) != keys.end();
  });
  return params;
}

// One chunk of a forest: `trees` trees with learning rate trees / total,
// since XGBoost scales each of a round's parallel trees by eta / trees; the
// merged forest's trees then each weigh 1 / total, as in one booster.
nlohmann::json TrainForestChunk(const DMatrix& train, const XGBoostParams& params, int trees,
                                int total, uint64_t seed) {
  const XGBoostLibrary& xgb = XGBoost();
  XGBoostParams chunk = Without(params, {"num_parallel_tree", "eta", "seed", "nthread"});
  chunk.emplace_back("num_parallel_tree", std::to_string(trees));
  chunk.emplace_back("eta", fmt::format("{}", static_cast<double>(trees) / total));
  chunk.emplace_back("seed", std::to_string(seed));
  chunk.emplace_back("nthread", "1");
  DMatrixHandle cached[1] = {train.get()};
  std::unique_ptr<void, int (*)(BoosterHandle)> booster(CreateBooster(cached, chunk),
                                                        xgb.booster_free);
  Check(xgb.booster_update_one_iter(booster.get(), 0, train.get()), "training failed");
  bst_ulong length = 0;
  const char* bytes = nullptr;
  Check(xgb.booster_save_model_to_buffer(booster.get(), R"({"format": "json"})", &length, &bytes),
        "cannot save the model");
  return nlohmann::json::parse(std::string_view(bytes, length));
}

// The chunks' models (taken apart) as one: their trees grouped by output
// (class) in chunk order, renumbered, under the first chunk's learner.
std::string MergeForest(std::vector<nlohmann::json>& chunks, int total) {
  std::map<int, std::vector<nlohmann::json>> by_group;
  for (nlohmann::json& chunk : chunks) {
    nlohmann::json& m = chunk["learner"]["gradient_booster"]["model"];
    for (size_t i = 0; i < m["trees"].size(); ++i)
      by_group[m["tree_info"][i].get<int>()].push_back(std::move(m["trees"][i]));
  }
  nlohmann::json& merged = chunks.front();
  nlohmann::json& model = merged["learner"]["gradient_booster"]["model"];
  nlohmann::json trees = nlohmann::json::array(), info = nlohmann::json::array();
  for (auto& [group, group_trees] : by_group) {
    for (nlohmann::json& tree : group_trees) {
      tree["id"] = trees.size();
      trees.push_back(std::move(tree));
      info.push_back(group);
    }
  }
  model["gbtree_model_param"]["num_trees"] = std::to_string(trees.size());
  model["gbtree_model_param"]["num_parallel_tree"] = std::to_string(total);
  model["trees"] = std::move(trees);
  model["tree_info"] = std::move(info);
  return merged.dump();
}

// A seeded uniform sample of `count` of m's rows (count < m.rows), in row
// order: selection sampling (Knuth's algorithm S), one draw per row.
Matrix<float> SampleRows(const Matrix<float>& m, size_t count, uint64_t seed) {
  Matrix<float> sample;
  sample.rows = count;
  sample.cols = m.cols;
  sample.values.reserve(count * m.cols);
  std::mt19937_64 rng(seed);
  for (size_t r = 0, needed = count; needed > 0; ++r) {
    if (UniformBelow(m.rows - r, rng) >= needed) continue;
    sample.values.insert(sample.values.end(), m.row(r), m.row(r) + m.cols);
    --needed;
  }
  return sample;
}

// A forest's histogram cuts come from at most this many rows per bin: a
// seeded sample, as LightGBM (bin_construct_sample_cnt) and scikit-learn's
// HistGradientBoosting (subsample) bin from a sample. XGBoost's quantile
// sketch of every row cost a fifth of a 100k-row forest; with 256 rows per
// bin a cut's rank error is about sqrt(B)/32 of a bin's width (a quarter
// at 64 bins), small beside what a forest's sampling of rows and features
// moves. The sample is unweighted. Boosted models keep XGBoost's cuts of
// every row.
constexpr size_t kCutRowsPerBin = 256;

}  // namespace

Booster Booster::TrainForest(const BoosterData& data, const XGBoostParams& params) {
  int jobs = std::max(ThreadsIn(params), 1);
  int total = std::stoi(ParamIn(params, "num_parallel_tree", "1"));
  uint64_t seed = std::stoull(ParamIn(params, "seed", "0"));
  int chunks = std::min(total, kForestChunks);
  int workers = std::min(jobs, chunks);
  // One histogram index, built on all threads, then only read by the
  // workers: XGBoost's training reads a DMatrix and keeps its own state
  // (gradients, row partitions, prediction cache) in each booster.
  const Matrix<float>& x = *data.features;
  int max_bin = MaxBin(params);
  size_t cut_rows = kCutRowsPerBin * static_cast<size_t>(max_bin);
  std::optional<DMatrix> cuts;
  if (x.rows > cut_rows)
    cuts.emplace(DMatrix::Quantized(SampleRows(x, cut_rows, seed), jobs, max_bin));
  DMatrix train = DMatrix::Quantized(x, jobs, max_bin, cuts ? &*cuts : nullptr);
  train.SetFloats("label", data.labels);
  if (!data.weights.empty()) train.SetFloats("weight", data.weights);
  std::vector<nlohmann::json> models(static_cast<size_t>(chunks));
  // Each worker's error, rethrown on this thread: an exception escaping a
  // thread would end the process.
  std::vector<std::exception_ptr> errors(static_cast<size_t>(workers));
  // Worker w trains chunks w, w + workers, ...: which thread trains a chunk
  // never changes what the chunk holds.
  auto work = [&](int w) {
    try {
      for (int c = w; c < chunks; c += workers) {
        int trees = total / chunks + (c < total % chunks ? 1 : 0);
        // A chunk's seed mixes the forest's seed with the chunk's index, so
        // that seeds 42 and 43 do not share chunks; 31 bits, which every
        // XGBoost build takes.
        uint64_t chunk_seed =
            (seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(c) * 0xBF58476D1CE4E5B9ULL) >> 33;
        models[static_cast<size_t>(c)] = TrainForestChunk(train, params, trees, total, chunk_seed);
      }
    } catch (...) {
      errors[static_cast<size_t>(w)] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (std::thread& t : threads) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  std::string merged = MergeForest(models, total);
  return Load(merged, "the merged forest");
}

Booster Booster::Load(std::string_view bytes, const std::string& source) {
  const XGBoostLibrary& xgb = XGBoost();
  BoosterHandle handle = nullptr;
  Check(xgb.booster_create(nullptr, 0, &handle), "cannot create a booster");
  Booster booster(handle);
  if (xgb.booster_load_model_from_buffer(handle, bytes.data(), bytes.size()) != 0)
    ThrowXGBoost(fmt::format("cannot read '{}'", source).c_str());
  return booster;
}

std::vector<float> Booster::Predict(const Matrix<float>& features, int jobs) const {
  if (features.rows == 0) return {};
  const XGBoostLibrary& xgb = XGBoost();
  if (jobs > 0) {
    std::string threads = std::to_string(jobs);
    Check(xgb.booster_set_param(handle_, "nthread", threads.c_str()), "cannot set its threads");
  }
  // In-place prediction reads the float32 rows where they are: building a
  // DMatrix first (a CSR copy) cost as much as scoring a small forest.
  // type 0: the transformed output (probabilities for logistic objectives);
  // strict_shape false: one value per row unless there are several classes.
  std::string config =
      R"({"type": 0, "training": false, "iteration_begin": 0,)"
      R"( "iteration_end": 0, "strict_shape": false, "missing": NaN, "cache_id": 0})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  Check(xgb.booster_predict_from_dense(handle_, ArrayInterface(features).c_str(), config.c_str(),
                                       nullptr, &shape, &dims, &result),
        "prediction failed");
  size_t count = 1;
  for (bst_ulong d = 0; d < dims; ++d) count *= shape[d];
  return std::vector<float>(result, result + count);
}

size_t Booster::outputs_per_row() const {
  if (Objective() != "multi:softprob") return 1;
  nlohmann::json config = SavedConfig(handle_);
  const nlohmann::json& param = config["learner"]["learner_model_param"];
  size_t classes = 0;
  if (param.contains("num_class") && param["num_class"].is_string()) {
    const std::string& text = param["num_class"].get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), classes);
    if (ec == std::errc() && end == text.data() + text.size() && classes > 0) return classes;
  }
  ThrowData("the booster's config has no class count (learner.learner_model_param.num_class)");
}

std::string Booster::Objective() const {
  nlohmann::json config = SavedConfig(handle_);
  if (!config.contains("learner") || !config["learner"].contains("objective") ||
      !config["learner"]["objective"].contains("name") ||
      !config["learner"]["objective"]["name"].is_string())
    ThrowData("the booster's config names no objective (learner.objective.name)");
  return config["learner"]["objective"]["name"].get<std::string>();
}

std::string Booster::Save() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  Check(XGBoost().booster_save_model_to_buffer(handle_, R"({"format": "ubj"})", &length, &bytes),
        "cannot save the model");
  return std::string(bytes, length);
}

size_t Booster::num_features() const {
  bst_ulong n = 0;
  Check(XGBoost().booster_get_num_feature(handle_, &n), "cannot count features");
  return n;
}

int Booster::boosted_rounds() const {
  int rounds = 0;
  Check(XGBoost().booster_boosted_rounds(handle_, &rounds), "cannot count rounds");
  return rounds;
}

void Booster::SetFeatureNames(const std::vector<std::string>& names) {
  std::vector<const char*> pointers;
  for (const std::string& name : names) pointers.push_back(name.c_str());
  Check(XGBoost().booster_set_str_feature_info(handle_, "feature_name", pointers.data(),
                                               pointers.size()),
        "cannot set feature names");
}

std::vector<std::string> Booster::FeatureNames() const {
  bst_ulong size = 0;
  const char** names = nullptr;
  Check(XGBoost().booster_get_str_feature_info(handle_, "feature_name", &size, &names),
        "cannot read feature names");
  return std::vector<std::string>(names, names + size);
}

}  // namespace leanops::train
