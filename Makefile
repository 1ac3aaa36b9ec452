# Thin wrapper over meson/ninja. The real build is meson.build.
#   make / make build   build/cocotrust
#   make demo           the end-to-end demo on the shipped example inputs
#   make check          all tests: normal build and ASan+UBSan build, then one summary line
#   make bench          benchmarks against the anchor tools (slow; on demand)
#   make fuzz           real libFuzzer binaries with clang (build-fuzz/)
#   make fuzz-run       build them, run each for FUZZ_SECONDS (default 60), print one table
#   make install        meson install: PREFIX=/usr/local (default), DESTDIR= (staging root)

BUILD     ?= build
BUILD_SAN ?= build-asan
MESON     ?= meson
PREFIX    ?= /usr/local
DESTDIR   ?=

.PHONY: all build deps demo check check-normal check-asan bench fuzz fuzz-run install clean

all: build

deps:
	@./scripts/install-deps

$(BUILD)/build.ninja:
	$(MESON) setup $(BUILD) --buildtype=debugoptimized

$(BUILD_SAN)/build.ninja:
	$(MESON) setup $(BUILD_SAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo: deps build
	@./examples/demo.sh $(BUILD)/cocotrust

check: deps $(BUILD)/build.ninja $(BUILD_SAN)/build.ninja
	@rc=0; \
	ninja -C $(BUILD) || rc=1; \
	ninja -C $(BUILD_SAN) || rc=1; \
	if [ $$rc = 0 ]; then \
		$(MESON) test -C $(BUILD) --print-errorlogs --num-processes 2 >$(BUILD)/check.log 2>&1; \
		tail -n 8 $(BUILD)/check.log; \
		$(MESON) test -C $(BUILD_SAN) --print-errorlogs --num-processes 2 --timeout-multiplier 4 >$(BUILD_SAN)/check.log 2>&1; \
		tail -n 8 $(BUILD_SAN)/check.log; \
	fi; \
	./scripts/test-summary $(BUILD) $(BUILD_SAN) || rc=1; \
	exit $$rc

bench: deps build
	@for b in bench/*.sh; do echo "== $$b"; ./$$b $(BUILD)/cocotrust || exit 1; done

fuzz:
	WITH_FUZZ=1 ./scripts/install-deps
	test -f build-fuzz/build.ninja || CC=clang $(MESON) setup build-fuzz -Dfuzzing=true -Dtests=false -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C build-fuzz

FUZZ_SECONDS ?= 60
fuzz-run: fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/fuzz-run

# Re-points the build's prefix (a reconfigure, no rebuild unless it changed),
# then installs, under DESTDIR when given (made absolute: meson resolves a
# relative one against the build directory).
install: $(BUILD)/build.ninja
	$(MESON) configure $(BUILD) -Dprefix=$(PREFIX)
	ninja -C $(BUILD)
	$(MESON) install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir $(abspath $(DESTDIR)))

clean:
	rm -rf $(BUILD) $(BUILD_SAN) build-fuzz
