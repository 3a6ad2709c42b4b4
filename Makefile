# Hegui: two commands set up a fresh Debian machine.
#   make demo   installs missing system packages, builds, lints Examples/ with the shipped rules
#   make test   installs missing system packages, builds, runs the whole suite

SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != "0" ] && echo sudo)
SYSTEM_PACKAGES := libicu-dev libpcre2-dev libsqlite3-dev pkgconf
HEGUI := .build/debug/hegui

# Everything swift-format checks (.swift-format at the root; Tests/ has its own, looser one).
FORMAT_PATHS := Package.swift Sources Tests Snippets Plugins Benchmarks/Package.swift Benchmarks/Sources \
  $(wildcard Examples/*/Package.swift Examples/*/Sources Examples/*/Tests Fuzz/Package.swift Fuzz/Sources)

HEAVY_SUITES := GrowthTests|ConcurrencyTests|FaultTests|ChunkTests

.PHONY: han-readings all deps build demo test rules-test rules-eval snippets format format-check docs clean

all: build

# Coverage-guided fuzzing with libFuzzer: `make fuzz` (every target for FUZZ_SECONDS, default 10
# minutes each), `make fuzz-smoke` (30 s each; `make test` runs it). Fuzz/README.md.
include Fuzz/fuzz.mk

# Installs the C libraries only when pkg-config cannot find them (or pkg-config is missing).
deps:
	@if pkg-config --exists icu-i18n libpcre2-8 sqlite3 2>/dev/null; then \
	  echo "system packages: icu-i18n, libpcre2-8, sqlite3 found"; \
	else \
	  echo "installing $(SYSTEM_PACKAGES)"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y $(SYSTEM_PACKAGES); \
	fi
	@# The HTML report's test renders it in headless Chromium (Debian's chromium package).
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "installing chromium (the HTML report is checked in a headless browser)"; \
	  $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }
	@# The SARIF test validates against the official JSON schema with Python's jsonschema.
	@python3 -c "import jsonschema" 2>/dev/null || python3 -m pip install --quiet jsonschema

build: deps
	$(SWIFT) build --product hegui

# Lints the examples with the shipped rules. Findings are the point of the demo (exit 1 is
# expected); an input or ruleset error (exit 2) fails it.
demo: build
	@echo "== hegui lint Examples/ (shipped rules) =="
	@$(HEGUI) lint --format text Examples/scripts Examples/captions Examples/listings; \
	  status=$$?; if [ $$status -gt 1 ]; then echo "demo failed: hegui exited $$status"; exit $$status; fi
	@echo "== hegui rules test (shipped rules) =="
	@$(HEGUI) rules test

# The whole suite: every test target, then the two example packages that depend on Hegui by
# path (a company's own rules tested with HeguiTesting; a third-party pipeline stage).
test: deps format-check
	$(SWIFT) test --package-path Examples/DownstreamRules
	$(SWIFT) run --package-path Examples/CustomStage custom-moderate Examples/CustomStage/pipeline.yml \
	  "这款面霜可根治湿疹" "欢迎来到直播间"
	$(SWIFT) build --build-tests
	@# Two runs: the suites that keep both cores busy for seconds (processes linting megabytes,
	@# racing processes on one queue) run after the rest, so they cannot starve the timeout tests.
	$(SWIFT) test --skip-build --skip '$(HEAVY_SUITES)'
	$(SWIFT) test --skip-build --filter '$(HEAVY_SUITES)'
	$(MAKE) --no-print-directory rules-eval
	$(MAKE) --no-print-directory snippets
	$(MAKE) --no-print-directory fuzz-smoke

# The gate on real text: the shipped rules on the labelled corpus's dev and test splits may not do
# worse than the floors checked in beside it (Rulesets/corpus/real/README.md). The full reports:
# `hegui rules eval --floors Rulesets/corpus/real/floors.yml`.
rules-eval:
	$(HEGUI) rules eval --floors Rulesets/corpus/real/floors.yml --summary

# Regenerates the Han readings and look-alike tables from Unihan (Debian's unicode-data package,
# fetched without installing it when /usr/share/unicode is absent). The output is checked in.
han-readings:
	@if [ -f /usr/share/unicode/Unihan_Readings.txt.bz2 ] || [ -f /usr/share/unicode/Unihan_Readings.txt ]; then \
	  python3 Scripts/generate-han-readings.py /usr/share/unicode > Sources/Hegui/Text/HanReadings+Data.swift; \
	else \
	  tmp=$$(mktemp -d) && (cd $$tmp && apt-get download unicode-data >/dev/null && dpkg -x unicode-data_*.deb root) && \
	  python3 Scripts/generate-han-readings.py $$tmp/root/usr/share/unicode > Sources/Hegui/Text/HanReadings+Data.swift; \
	  status=$$?; rm -rf $$tmp; exit $$status; \
	fi
	@git diff --stat -- Sources/Hegui/Text/HanReadings+Data.swift

# The documentation's examples (Snippets/, shown by the DocC catalogue): `swift build` compiles
# them; each must also run to its end.
snippets:
	@for snippet in Snippets/*.swift; do \
	  name=$$(basename $$snippet .swift); echo "== snippet $$name"; \
	  .build/debug/$$name > /dev/null || { echo "snippet $$name failed"; exit 1; }; \
	done

# swift-format (in the toolchain): `make format` rewrites, `make format-check` fails on any
# difference or lint finding (line length, no force unwrap or force try outside tests, ordered
# imports, documented public declarations).
format:
	$(SWIFT) format format --in-place --recursive --parallel $(FORMAT_PATHS)

format-check:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

# DocC for the public modules (swift-docc-plugin); the archives land in .build/plugins/Swift-DocC.
docs:
	for target in Hegui HeguiLint HeguiTesting; do \
	  $(SWIFT) package generate-documentation --target $$target --warnings-as-errors || exit 1; \
	done

rules-test: build
	$(HEGUI) rules test

clean:
	rm -rf .build
