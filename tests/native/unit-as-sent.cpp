// unit-as-sent.cpp: values stored exactly as sent (versions, map keys, model ids, columns) cannot
// carry what the scrubber would replace, even glued into an identifier or cut into pieces.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>

#include "scrub.h"

namespace phonehome::testing {
namespace {

using scrub::UnsafeAsSent;

// What an attacker stored through a map key, a model name or a version before this rule (each was
// accepted and stored as sent).
TEST(UnsafeAsSent, RefusesWhatAnAttackerGluedIntoIdentifiers) {
  for (std::string_view value : {"4111_1111_1111_1111", "x_4111111111111111", "key_AKIAIOSFODNN7EXAMPLE",
                                 "ip-10-0-0-5", "192-168-1-1", "10_0_0_5", "4155552671", "078051120",
                                 "meta-llama/4155552671", "meta-llama/ip-10-0-0-5", "1.0.0-Janes-MacBook-Pro",
                                 "1.0.0-DESKTOP-7QK2M3P", "1.0.0+jdoe@example.com", "task_alice@example.com",
                                 "Ab3dEfGh1jKlMn0pQrStUvWxYz01234567", "tok_Ab3dEfGh1jKlMn0p", "x=ghp_0123456789abcdefABCDEF0123456789abcd",
                                 "x_2a02_8108_1940_5e00_e4b0_9c8a_1b2c_3d4e", "fe80-1ff-fe23-4567-890a-0-0-1", "desktop_7qk2m3p",
                                 "jdoe_laptop"}) {
    EXPECT_TRUE(UnsafeAsSent(value)) << value;
  }
}

// What the seed products really send in those fields stays: platform strings, build tags, task
// types, Hugging Face model ids, Go pseudo-versions, dates.
TEST(UnsafeAsSent, KeepsWhatClientsReallySend) {
  for (std::string_view value : {"x86_64", "self_hosted", "community_saas", "Linux-5.15.0-1057-azure-x86_64-with-glibc2.35",
                                 "macOS-14.4-arm64-arm-64bit", "Windows-10-10.0.19045-SP0", "by_type", "Succeeded",
                                 "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B-Instruct",
                                 "TheBloke/TinyLlama-1.1B-Chat-v1.0-GPTQ", "mistralai/Mixtral-8x7B-Instruct-v0.1",
                                 "microsoft/Phi-3-mini-4k-instruct", "facebook/wav2vec2-base-960h", "GPT4AllJ13BSnoozy",
                                 "0.0.0-20191109021931-daa7c04131f5", "1.30.2-eks-4096722", "1.30.2-gke.1587003",
                                 "2.5.1+cu124", "1.0.0+9fceb02d0ae598e95dc970b74767f19372d61af8", "2024-11-30",
                                 "nightly-20241130", "ubuntu-22.04", "python3.12", "release_2024_11_30", "gpu_0_peak_memory_bytes",
                                 "epoch_0_seconds", "cpu_memory_bytes", "claude-code", "github_pull_requests", "a_b_c_d_e_f"}) {
    EXPECT_FALSE(UnsafeAsSent(value)) << value;
  }
}

// Random hex ids hold runs of digits: 3% of random UUIDs have nine or more in a row, and 1 in 280
// Go pseudo-version or git-describe commits is all digits. None of them may be refused.
TEST(UnsafeAsSent, KeepsEveryRandomHexId) {
  std::mt19937 random(13);  // a fixed seed: the same 100,000 ids on every run
  auto hex = [&](size_t count) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < count; ++i) out += kHex[random() % 16];
    return out;
  };
  int refused = 0;
  for (int n = 0; n < 100000; ++n) {
    const std::string uuid = hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12);
    const std::string pseudo_version = "v0.0.0-20191109021931-" + hex(12);
    const std::string described = "1.2.3.dev4+g" + hex(12);
    for (const std::string& id : {uuid, pseudo_version, described}) {
      if (UnsafeAsSent(id)) {
        ADD_FAILURE() << id;
        if (++refused == 5) return;
      }
    }
  }
}

// What the hex allowances above must not let through: a long number not inside a hex id.
TEST(UnsafeAsSent, HexAllowancesStillRefuseLongNumbers) {
  for (std::string_view value : {"x-4155551234", "4155551234", "g4155551234", "1.0.0-20191109021931-41555512345",
                                 "1.0.0-2019110902193-415555123456", "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b-4155551234",
                                 "3f1c2a9e-5b7d-4e8f-9a0b-4155551234"}) {
    EXPECT_TRUE(UnsafeAsSent(value)) << value;
  }
}

}  // namespace
}  // namespace phonehome::testing
