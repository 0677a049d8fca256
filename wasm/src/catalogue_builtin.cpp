// catalogue_builtin.cpp: the catalogue compiled into this build.
//
// For now it declares the one event of the walking skeleton (agentsonar/session); the catalogue
// issue replaces this file with tables generated from the catalogue files.
#include "catalogue.h"

namespace phonehome::catalogue {
namespace {

constexpr std::string_view kOsValues[] = {"linux", "darwin", "windows"};
constexpr EnumAlias kOsAliases[] = {{"win32", 2}, {"macos", 1}};
constexpr EnumSpec kOs = {kOsValues, 3, kOsAliases, 2, UnknownValue::KeepAsOther};

constexpr std::string_view kArchValues[] = {"x86_64", "arm64"};
constexpr EnumAlias kArchAliases[] = {{"amd64", 0}, {"x64", 0}, {"aarch64", 1}};
constexpr EnumSpec kArch = {kArchValues, 2, kArchAliases, 3, UnknownValue::KeepAsOther};

constexpr std::string_view kAdapterValues[] = {"custom_python", "crewai", "langgraph", "oma_sidecar"};
constexpr EnumSpec kAdapter = {kAdapterValues, 4, nullptr, 0, UnknownValue::KeepAsOther};

constexpr std::string_view kInstallId[] = {"install_id"};
constexpr std::string_view kSessionId[] = {"session_id"};
constexpr std::string_view kVersion[] = {"version"};
constexpr std::string_view kPython[] = {"python"};
constexpr std::string_view kOsNames[] = {"os"};
constexpr std::string_view kArchNames[] = {"arch"};
constexpr std::string_view kAdapterNames[] = {"adapter"};
constexpr std::string_view kTimestamp[] = {"timestamp"};

constexpr FieldSpec kSessionFields[] = {
    {"install_id", kInstallId, 1, Kind::Uuid, Column::InstallId, true, 36, 0, 0, nullptr},
    {"session_id", kSessionId, 1, Kind::Uuid, Column::SessionId, true, 36, 0, 0, nullptr},
    {"version", kVersion, 1, Kind::Version, Column::Version, true, 64, 0, 0, nullptr},
    {"python", kPython, 1, Kind::String, Column::RuntimeVersion, false, 32, 0, 0, nullptr},
    {"os", kOsNames, 1, Kind::Enum, Column::Os, false, 32, 0, 0, &kOs},
    {"arch", kArchNames, 1, Kind::Enum, Column::Arch, false, 32, 0, 0, &kArch},
    {"adapter", kAdapterNames, 1, Kind::Enum, Column::Properties, false, 32, 0, 0, &kAdapter},
    {"timestamp", kTimestamp, 1, Kind::Timestamp, Column::OccurredAt, false, 0, 0, 0, nullptr},
};
constexpr uint16_t kSessionDedup[] = {1};
constexpr FixedColumn kPythonRuntime[] = {{Column::Runtime, "python"}};

constexpr EventSpec kAgentSonarEvents[] = {
    {"session", kSessionFields, 8, kSessionDedup, 1, false, kPythonRuntime, 1},
};

constexpr ProductSpec kProducts[] = {
    {"agentsonar", kAgentSonarEvents, 1},
};

constexpr Catalogue kCatalogue = {kProducts, 1};

}  // namespace

const Catalogue& Builtin() { return kCatalogue; }

}  // namespace phonehome::catalogue
