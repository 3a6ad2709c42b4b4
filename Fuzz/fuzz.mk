# Hegui's fuzz targets (Fuzz/README.md). Include from the root Makefile:
#
#   include Fuzz/fuzz.mk
#
#   make fuzz                  every target for FUZZ_SECONDS (default 600) each, one after another
#   make fuzz FUZZ_SECONDS=60
#   make fuzz-smoke            every target for 30 s each (CI)
#   make fuzz-checker          one target (also fuzz-ruleset-loader, fuzz-listing-parser)
#
# Each fails on any crash, property violation, leak, timeout or out-of-memory, and prints where the
# failing input was saved. The committed corpora are never written.

FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_RUN := Fuzz/run.sh

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-checker fuzz-ruleset-loader fuzz-listing-parser

fuzz-build:
	$(FUZZ_RUN) build

fuzz:
	$(FUZZ_RUN) all $(FUZZ_SECONDS)

fuzz-smoke:
	$(FUZZ_RUN) all $(FUZZ_SMOKE_SECONDS)

fuzz-checker fuzz-ruleset-loader fuzz-listing-parser:
	$(FUZZ_RUN) $(patsubst fuzz-%,%,$@) $(FUZZ_SECONDS)
