# SPDX-License-Identifier: GPL-3.0-or-later
# Thin wrapper over meson for the README's two commands:
#   make run    installs what is missing (Debian/Ubuntu), builds, and starts Cachet
#   make check  the same, then runs the whole test suite
BUILDDIR ?= _build

.PHONY: all deps build run check clean

all: build

deps:
	@./tools/install-deps.sh

$(BUILDDIR)/build.ninja:
	meson setup $(BUILDDIR)

build: deps $(BUILDDIR)/build.ninja
	meson compile -C $(BUILDDIR)

run: build
	./tools/run-uninstalled.sh $(BUILDDIR) $(FILE)

check: build
	meson test -C $(BUILDDIR) --print-errorlogs --num-processes 2

clean:
	rm -rf $(BUILDDIR)
