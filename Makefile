# The two commands of the README. Both set up everything from nothing: a virtual environment
# with the project and its test tools, and (for the tests) the Debian packages a real window
# under Xvfb needs.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# What a Qt window needs on a bare Debian (xcb platform), plus the X server for the e2e test.
DESKTOP_PACKAGES := xvfb xauth openbox libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
	libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 \
	libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libdbus-1-3 fonts-dejavu-core

.PHONY: run test test-fast lint benchmarks desktop-packages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,servers]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/async-lanes

# Every test, the slow ones too (a wheel built and installed, 10,000 requests, the soak).
test: lint desktop-packages
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

# The tests not marked slow (the marker in pyproject.toml says what slow is), for every change:
# about 35 s on a 2-core machine with one core busy. `make test` runs the slow ones too.
test-fast: lint desktop-packages
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

# Style (ruff), formatting, types (mypy, strict for the engine and the session model) and the
# import contracts that keep Qt out of the engine, the site and the session.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/overhead.py

# Installs what is missing, as root (CI, containers) or through sudo; says so if it cannot.
desktop-packages:
	@missing=$$(for p in $(DESKTOP_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo; \
		else echo "Cannot install $$missing (not root, no sudo): the e2e test will be skipped."; exit 0; fi; \
		echo "Installing Debian packages: $$missing"; \
		$$SUDO apt-get update -qq >/dev/null && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
