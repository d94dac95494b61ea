# A thin wrapper over meson: install missing Debian packages, configure once,
# build, then run. `make demo` and `make test` are the README's two commands.
BUILD ?= build
MESON_SETUP_ARGS ?=

.PHONY: all deps build test demo bench install clean

all: build

deps:
	@.ci/install-deps

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_SETUP_ARGS)

build: deps $(BUILD)/build.ninja
	@meson compile -C $(BUILD)

test: build
	@meson test -C $(BUILD) --print-errorlogs --num-processes 2 >$(BUILD)/test-output.txt 2>&1; \
	  status=$$?; tail -n 40 $(BUILD)/test-output.txt; \
	  /usr/bin/python3 tests/summarize.py $(BUILD)/meson-logs/testlog.json && [ $$status -eq 0 ]

demo: build
	@pipelines/demo.sh $(BUILD)

bench: build
	@$(BUILD)/pipelines/gst-cnn bench

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)
