#include "track/rest_json_writer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

namespace leanops::track {
namespace {

using Buffer = rapidjson::StringBuffer;
// Strings are checked as UTF-8 on the way out.
using Writer = rapidjson::Writer<Buffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                                 rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>;

// Thrown (and caught below) when a string is not valid UTF-8.
struct InvalidText {};

class Out {
 public:
  explicit Out(Writer& writer) : w_(writer) {}

  void Key(const char* name) { w_.Key(name); }
  void String(const std::string& text) {
    if (!w_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()))) {
      throw InvalidText();
    }
  }
  void Field(const char* name, const std::string& text) {
    Key(name);
    String(text);
  }
  void FieldIfSet(const char* name, const std::string& text) {
    if (!text.empty()) Field(name, text);
  }
  void Field(const char* name, int64_t value) {
    Key(name);
    w_.Int64(value);
  }
  void Field(const char* name, const char* text) {
    Key(name);
    w_.String(text);
  }
  // A number, or "NaN"/"Infinity"/"-Infinity" as DoubleToJson writes them.
  void Double(const char* name, double value) {
    Key(name);
    if (std::isnan(value)) {
      w_.String("NaN");
    } else if (std::isinf(value)) {
      w_.String(value > 0 ? "Infinity" : "-Infinity");
    } else {
      w_.Double(value);
    }
  }

  // "name": [...] with `write` for each item; left out when empty.
  template <typename T, typename F>
  void List(const char* name, const std::vector<T>& items, F write) {
    if (items.empty()) return;
    Key(name);
    w_.StartArray();
    for (const T& item : items) write(item);
    w_.EndArray();
  }

  void Tags(const char* name, const std::vector<Tag>& tags) {
    List(name, tags, [&](const auto& tag) {
      w_.StartObject();
      Field("key", tag.key);
      Field("value", tag.value);
      w_.EndObject();
    });
  }

  void Metric(const track::Metric& metric) {
    w_.StartObject();
    Field("key", metric.key);
    Double("value", metric.value);
    Field("timestamp", metric.timestamp);
    Field("step", metric.step);
    w_.EndObject();
  }

  void Run(const track::Run& run) {
    w_.StartObject();
    Key("info");
    w_.StartObject();
    const RunInfo& info = run.info;
    Field("run_id", info.run_id);
    Field("run_uuid", info.run_id);
    Field("run_name", info.run_name);
    Field("experiment_id", info.experiment_id);
    Field("user_id", info.user_id);
    Field("status", RunStatusName(info.status));
    Field("start_time", info.start_time);
    if (info.end_time) Field("end_time", *info.end_time);
    Field("artifact_uri", info.artifact_uri);
    Field("lifecycle_stage", LifecycleName(info.lifecycle_stage));
    w_.EndObject();

    Key("data");
    w_.StartObject();
    List("metrics", run.metrics, [&](const track::Metric& metric) { Metric(metric); });
    List("params", run.params, [&](const Param& param) {
      w_.StartObject();
      Field("key", param.key);
      Field("value", param.value);
      w_.EndObject();
    });
    Tags("tags", run.tags);
    w_.EndObject();

    Key("inputs");
    w_.StartObject();
    List("dataset_inputs", run.inputs, [&](const DatasetInput& input) {
      w_.StartObject();
      Key("dataset");
      w_.StartObject();
      const Dataset& dataset = input.dataset;
      Field("name", dataset.name);
      Field("digest", dataset.digest);
      Field("source_type", dataset.source_type);
      Field("source", dataset.source);
      FieldIfSet("schema", dataset.schema);
      FieldIfSet("profile", dataset.profile);
      w_.EndObject();
      Tags("tags", input.tags);
      w_.EndObject();
    });
    w_.EndObject();
    w_.EndObject();
  }

  template <typename T, typename F>
  void Page(const char* name, const track::Page<T>& page, F write) {
    w_.StartObject();
    List(name, page.items, write);
    FieldIfSet("next_page_token", page.next_page_token);
    w_.EndObject();
  }

 private:
  Writer& w_;
};

template <typename T, typename F>
std::optional<std::string> PageJson(const char* name, const Page<T>& page, F write) {
  Buffer buffer;
  Writer writer(buffer);
  Out out(writer);
  try {
    out.Page(name, page, [&](const T& item) { write(out, item); });
  } catch (const InvalidText&) {
    return std::nullopt;
  }
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

std::optional<std::string> RunPageJson(const Page<Run>& page) {
  return PageJson("runs", page, [](Out& out, const Run& run) { out.Run(run); });
}

std::optional<std::string> MetricPageJson(const Page<Metric>& page) {
  return PageJson("metrics", page, [](Out& out, const Metric& metric) { out.Metric(metric); });
}

}  // namespace leanops::track
