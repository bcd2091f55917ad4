# SPDX-License-Identifier: AGPL-3.0-or-later
#
# Two commands do everything on a fresh Debian 12 machine with Swift 6.3:
#   make demo   installs what is missing, builds, and replays a patrol through the pipeline
#   make test   installs what is missing, builds, and runs every test

SWIFT      ?= swift
PREFIX     ?= /usr/local
DESTDIR    ?=
UNITDIR    ?= $(PREFIX)/lib/systemd/system
CONFIGDIR  ?= /etc/chalkline
BUILD_FLAGS ?=
# An import of a target the importing target does not declare fails the build (with Package.swift's
# MemberImportVisibility, a file sees only what it imports itself).
IMPORT_CHECK = --explicit-target-dependency-import-check error
BIN         = .build/debug/chalkline
TIMED_TESTS = PositioningTests|CameraFaultTests
NETWORK_TESTS = UplinkTests|HubTests|ServiceUplinkTests|ServiceDaemonTests|ServiceShutdownTests|PermitStreetTests|DiskFullDaemonTests
SOAK_TESTS  = SoakTests

.PHONY: all deps build test sanitize demo bench soak lint format install install-files train clean fuzz fuzz-build

all: build

deps:
	@tools/deps.sh

build: deps
	$(SWIFT) build $(IMPORT_CHECK) $(BUILD_FLAGS)

# Still three runs, not one. Replays and the daemon no longer hold the cooperative pool (their
# pipeline runs on a PipelineExecutor, a thread of its own), but other suites still do: the
# photo-accuracy and golden-inference tests (PlateReadingTests) and the vault's crash harness
# (VaultTests) are synchronous @Test functions that keep one of the pool's 2 threads busy for a
# minute at a time, VividVMTests waits synchronously for its VM, and NspawnTests' container boot
# loads both cores. Beside them the hub, uplink and daemon tests (which serve HTTPS and sync from
# Swift tasks) see their requests time out, and the gpsd and camera fault tests (deadlines of a
# few seconds) starve. So the timed suites run first on their own, the network suites second, the
# rest last. Tried as one `swift test` (2 cores, another helper's tests beside it): within two
# minutes the gpsd client tests (GPSDClientTests, GPSDResilienceTests: no fix within their
# deadlines) and the daemon's GPS-clock test failed. ServiceShutdownTests runs a daemon: it
# belongs to the network group. The soak runs alone after it: it asserts that the test process's
# own memory stays flat over its stretch, and a daemon test beside it (DiskFullDaemonTests holds a
# patrol replay for minutes) moved that figure past its limit.
test: deps
	$(SWIFT) build --build-tests $(IMPORT_CHECK) $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --filter '$(TIMED_TESTS)' $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --filter '$(NETWORK_TESTS)' $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --filter '$(SOAK_TESTS)' $(BUILD_FLAGS)
	$(SWIFT) test --skip-build --skip '$(TIMED_TESTS)|$(NETWORK_TESTS)|$(SOAK_TESTS)' $(BUILD_FLAGS)
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_TEST_SECONDS)

# The concurrency-heavy suites (daemon, uplink, hub, capture, gpsd) under ThreadSanitizer, the rest
# under AddressSanitizer, each in a build directory of its own (two more cold builds), in the same
# groups as `make test` (the timed suites alone first). tools/sanitizer-reports.sh fails the run on
# any sanitizer report in the output; a test's own failure fails it too. LeakSanitizer is off: the
# Swift runtime's metadata caches are never freed by design, and leaks are not memory errors. The
# nspawn test is left out of the ASan run: it boots the installed binary under the unit's sandbox,
# which ASAN_OPTIONS does not reach, and LeakSanitizer's stop-the-world fails there (seccomp).
TSAN_TESTS = CaptureTests|PositioningTests|UplinkTests|HubTests|AgentTests.Service|DiskFullDaemonTests
sanitize: deps
	$(SWIFT) build --build-path .build-tsan --sanitize=thread --build-tests $(BUILD_FLAGS)
	TSAN_OPTIONS=halt_on_error=0 tools/sanitizer-reports.sh .build-tsan/tsan-timed.log $(SWIFT) test \
	  --build-path .build-tsan --sanitize=thread --skip-build --filter '$(TIMED_TESTS)' $(BUILD_FLAGS)
	TSAN_OPTIONS=halt_on_error=0 tools/sanitizer-reports.sh .build-tsan/tsan.log $(SWIFT) test \
	  --build-path .build-tsan --sanitize=thread --skip-build --filter '$(TSAN_TESTS)' --skip '$(TIMED_TESTS)' \
	  $(BUILD_FLAGS)
	$(SWIFT) build --build-path .build-asan --sanitize=address --build-tests $(BUILD_FLAGS)
	ASAN_OPTIONS=detect_leaks=0 tools/sanitizer-reports.sh .build-asan/asan.log $(SWIFT) test \
	  --build-path .build-asan --sanitize=address --skip-build --skip '$(TSAN_TESTS)|$(TIMED_TESTS)|NspawnTests' \
	  $(BUILD_FLAGS)

# A release build of the shipped commands only: the fuzz targets import the product's modules
# @testable, which a release build of every target refuses (modules are not compiled for testing).
# vault-crash-writer beside chalkline gives `chalkline bench` its crash figures.
RELEASE_PRODUCTS = chalkline chalkline-hub vault-crash-writer
RELEASE_BUILD = for product in $(RELEASE_PRODUCTS); do $(SWIFT) build -c release --product $$product $(BUILD_FLAGS) || exit 1; done

demo: build
	@tools/demo.sh $(BIN)

bench: deps
	$(RELEASE_BUILD)
	@[ -f out/demo/patrol/expected.json ] || /usr/bin/python3 tools/patrol/generate.py --out out/demo/patrol
	@[ -f out/patrol-real/expected.json ] || /usr/bin/python3 tools/patrol/generate.py --out out/patrol-real --real-photos ../shared/data/plates-us-dev
	.build/release/chalkline bench --dump out/demo/patrol
	.build/release/chalkline-hub bench
	.build/release/chalkline-hub bench-review --pending 10000

# An hour of filmed patrol through the agent with faults: the release binaries with the shipped
# plate reader (tools/soak.sh: chalkline run + chalkline-hub serve as processes), then the
# in-process soak tests (ground-truth reader; gpsd restarts) of which make test runs six minutes.
soak: deps
	$(RELEASE_BUILD)
	@[ -f out/demo/patrol/expected.json ] || /usr/bin/python3 tools/patrol/generate.py --out out/demo/patrol
	FRAMES=36000 tools/soak.sh .build/release/chalkline
	$(SWIFT) build --build-tests $(BUILD_FLAGS)
	CHALKLINE_SOAK_FRAMES=36000 $(SWIFT) test --skip-build --filter SoakTests $(BUILD_FLAGS)

# libFuzzer targets (Fuzz/): one build in .build-fuzz with the project's modules instrumented
# (dependencies are not), then each target from its seed corpus for FUZZ_SECONDS. New inputs go
# to .build-fuzz/corpus; a crash stops its target and is left as .build-fuzz/TARGET-crash-*.
# `make test` runs the committed corpus through the same targets (FuzzTests) in the normal build,
# then every target for FUZZ_TEST_SECONDS here. libFuzzer comes with the toolchain's clang.
FUZZ_SECONDS ?= 60
FUZZ_TEST_SECONDS ?= 10
FUZZ_TARGETS ?= dump-manifest dump-frames frame gpsd profile zones hub-documents hub-ingest review-form permits-csv
FUZZ_RUNTIME ?= $(firstword $(wildcard $(dir $(realpath $(shell command -v $(SWIFT))))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-$(shell uname -m).a))
fuzz-build: deps
	@[ -f "$(FUZZ_RUNTIME)" ] || { echo "fuzz-build: no libclang_rt.fuzzer_no_main in $(SWIFT)'s toolchain (set FUZZ_RUNTIME)" >&2; exit 1; }
	CHALKLINE_FUZZ_RUNTIME=$(FUZZ_RUNTIME) $(SWIFT) build --build-path .build-fuzz --product chalkline-fuzz $(BUILD_FLAGS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) tools/fuzz.sh .build-fuzz/debug/chalkline-fuzz $(FUZZ_TARGETS)

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Fuzz
	/usr/bin/python3 tools/check-layers.py

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests Fuzz

install:
	$(SWIFT) build -c release --product chalkline $(BUILD_FLAGS)
	$(MAKE) --no-print-directory install-files

# The files of a release build (or INSTALL_FROM's) into DESTDIR, without building: what a
# package holds. The plate models are SwiftPM resource bundles, found beside the binary.
INSTALL_FROM ?= .build/release
install-files:
	install -D -m 0755 $(INSTALL_FROM)/chalkline $(DESTDIR)$(PREFIX)/bin/chalkline
	cp -RL $(INSTALL_FROM)/*.resources $(DESTDIR)$(PREFIX)/bin/
	install -D -m 0644 systemd/chalkline.service $(DESTDIR)$(UNITDIR)/chalkline.service
	install -D -m 0644 systemd/chalkline.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/chalkline.conf
	install -D -m 0644 systemd/chalkline.tmpfiles $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/chalkline.conf
	install -d -m 0755 $(DESTDIR)$(PREFIX)/share/chalkline/device-profiles/zones
	install -m 0644 device-profiles/*.yaml device-profiles/README.md $(DESTDIR)$(PREFIX)/share/chalkline/device-profiles/
	install -m 0644 device-profiles/zones/*.json $(DESTDIR)$(PREFIX)/share/chalkline/device-profiles/zones/
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/chalkline/README.md
	install -d -m 0750 $(DESTDIR)$(CONFIGDIR)

train:
	tools/train/train.sh

clean:
	rm -rf .build .build-fuzz .build-tsan .build-asan
