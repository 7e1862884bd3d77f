# One command builds every edition: `make`. Then `make test`.
# Outputs are built in build/<edition>/ and published into dist/ only when a build succeeds.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPHINX := $(BIN)/sphinx-build
STRICT := -W --keep-going -n -q
# Sphinx reads the repository root; its settings are in book/.
SPHINXOPTS ?=
SPHINX_ARGS := $(STRICT) -c book $(SPHINXOPTS)

# Reproducible outputs: dates come from the last commit, never the clock.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
export SOURCE_DATE_EPOCH
export PYTHONHASHSEED := 0

SOURCES := $(shell find book lessons exercises -type f 2>/dev/null | sort)
PACKAGE := $(shell find src -type f \( -name '*.py' -o -name '*.css' -o -name '*.html' -o -name '*.jinja' -o -name '*.toml' -o -name '*.xml' -o -name mimetype \) 2>/dev/null | sort)
INPUTS := $(SOURCES) $(PACKAGE) $(VENV)/.installed
PUBLISH := $(BIN)/python -m lessonpack.publish
# Sphinx keeps its environment when only our extension changed; start afresh when it has.
FRESH = $(if $(filter $(PACKAGE) pyproject.toml book/conf.py,$?),-E)

.PHONY: all html epub pdf test check lint serve clean fonts
.DELETE_ON_ERROR:

all: html epub pdf

# Set-up: a virtual environment with the pinned dependencies, and WeasyPrint's system libraries.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m lessonpack.sysdeps
	touch $@

html: build/student/html.stamp
epub: build/student/epub.stamp
pdf: build/teacher/pdf.stamp build/student/pdf.stamp

# Each build writes into an emptied folder (doctrees are kept, so reading stays incremental):
# Sphinx's EPUB builder zips whatever it finds there, and a page left by an earlier build
# would otherwise be published.
build/student/html.stamp: $(INPUTS)
	rm -rf build/student/html
	$(SPHINX) -b html $(SPHINX_ARGS) $(FRESH) -D lessonpack_edition=student -d build/student/html-doctrees . build/student/html
	$(PUBLISH) build/student/html dist/html
	touch $@

build/student/epub.stamp: $(INPUTS)
	rm -rf build/student/epub
	$(SPHINX) -b epub $(SPHINX_ARGS) $(FRESH) -D lessonpack_edition=student -d build/student/epub-doctrees . build/student/epub
	$(PUBLISH) build/student/epub dist --glob '*.epub'
	touch $@

build/teacher/pdf.stamp: $(INPUTS)
	rm -rf build/teacher/pdf
	$(SPHINX) -b lessonpdf $(SPHINX_ARGS) $(FRESH) -D lessonpack_edition=teacher -d build/teacher/pdf-doctrees . build/teacher/pdf
	$(PUBLISH) build/teacher/pdf dist --glob '*.pdf'
	$(PUBLISH) build/teacher/pdf/packs dist/packs --glob '*.pdf'
	touch $@

# The student book and the photocopiable handouts come from the student edition: no teacher text
# is ever read into them.
build/student/pdf.stamp: $(INPUTS)
	rm -rf build/student/pdf
	$(SPHINX) -b lessonpdf $(SPHINX_ARGS) $(FRESH) -D lessonpack_edition=student -d build/student/pdf-doctrees . build/student/pdf
	$(PUBLISH) build/student/pdf dist --glob '*.pdf'
	$(PUBLISH) build/student/pdf/packs dist/packs --glob '*.pdf'
	touch $@

test: all
	$(BIN)/ruff check src tests
	@echo "Content of each lesson (the build fails below the limits in book/conf.py):"
	@$(BIN)/python -m lessonpack.report build/student/html-doctrees/lessonpack-report.json
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

EDITION ?= student
serve: $(VENV)/.installed
	$(BIN)/sphinx-autobuild -b html -c book -D lessonpack_edition=$(EDITION) -d build/serve-$(EDITION)/doctrees \
	  --watch src . build/serve-$(EDITION)/html --ignore '*/.venv/*' --ignore '*/build/*' --ignore '*/dist/*' \
	  --re-ignore '\.git/' --host 127.0.0.1 --port 8000

# Maintainers only: re-subset the bundled fonts from Debian's fonts-noto-core and fonts-noto-cjk
# after adding characters (the build tells you when: "no bundled font has a glyph ...").
FONTS := book/_static/fonts
NOTO := /usr/share/fonts/truetype/noto
fonts: $(VENV)/.installed
	for face in Regular Italic Bold BoldItalic; do \
	  $(BIN)/python -m lessonpack.fonts $(NOTO)/NotoSerif-$$face.ttf $(FONTS)/NotoSerif-$$face.ttf --text book lessons exercises; done
	for face in Regular Bold Italic BoldItalic; do \
	  $(BIN)/python -m lessonpack.fonts $(NOTO)/NotoSans-$$face.ttf $(FONTS)/NotoSans-$$face.ttf --text book lessons exercises; done
	$(BIN)/python -m lessonpack.fonts /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
	  $(FONTS)/NotoSerifCJKsc-Subset.otf --font-number 2 --only-found --min 2E80 --text book lessons exercises

clean:
	rm -rf build dist
