# One command builds every edition: `make`. Then `make test`.
# Outputs are built in build/<edition>/ and published into dist/ together, only when every build succeeds.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# (through the make run's zygote when there is one: see UNDER_ZYGOTE)
SPHINX = $(if $(LESSONPACK_ZYGOTE),$(BIN)/python -m lessonpack.zygote_client )$(BIN)/sphinx-build
STRICT := -W --keep-going -n -q
# Sphinx reads SRCDIR (the repository root); its settings are in CONFDIR. The tests point these
# at small projects in temporary folders, with their own BUILDDIR and DISTDIR.
SRCDIR ?= .
SRC_PREFIX := $(if $(filter .,$(SRCDIR)),,$(SRCDIR)/)
SOURCE_DIRS ?= book lessons exercises
CONFDIR ?= $(SRC_PREFIX)book
BUILDDIR ?= build
DISTDIR ?= dist
SPHINXOPTS ?=
SPHINX_ARGS := $(STRICT) -c $(CONFDIR) -D lessonpack_cache_dir=$(abspath $(BUILDDIR))/cache $(SPHINXOPTS)
# Every Sphinx build (website, EPUB, PDF, slides) reads its documents in SPHINX_READERS processes
# (sphinx-build -j): a serial read keeps every doctree it read until it is written (a cold build
# holds the whole book), a worker hands back only its environment; the same bytes either way.
SPHINX_READERS ?= 2
PARALLEL_READ := -j $(SPHINX_READERS)

# One build at a time per build folder: every goal runs under an exclusive lock, so two `make`
# started at once take turns instead of emptying each other's build folders (publish.py also
# locks dist/ while it swaps). The live preview and the linters need no lock, nor the benchmark
# (it builds temporary copies, each make under its own lock).
# Inside the lock the four builds run side by side, JOBS at a time (one per core by default;
# `make JOBS=1` runs them one after another), each build's log printed when it ends.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
# The builds of one make run are children of one process that imported Sphinx and the extensions
# once (lessonpack.zygote, at the first build: a make with nothing to do imports nothing): the
# inner make runs under it, its SPHINX is a small client (lessonpack.zygote_client) that asks it
# for a build, or runs sphinx-build itself when no zygote answers. `make ZYGOTE=` turns it off;
# so does a first make, before the virtual environment exists. The zygote starts with the hash
# seed and byte-code setting the inner make gives its builds (it serves no client started
# otherwise); it keeps its socket and the log of what it served in BUILDDIR.
ZYGOTE ?= yes
UNDER_ZYGOTE = $(if $(and $(ZYGOTE),$(wildcard $(VENV)/.installed)),\
  env -u PYTHONDONTWRITEBYTECODE PYTHONHASHSEED=0 $(BIN)/python -m lessonpack.zygote \
  --socket $(BUILDDIR)/.zygote --log $(BUILDDIR)/zygote.log --,env LESSONPACK_ZYGOTE=)
ifndef LESSONPACK_LOCKED
GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out serve lint fonts system-fonts bench gate-tools lock,$(GOALS)),)
.PHONY: $(GOALS)
$(firstword $(GOALS)):
	@mkdir -p $(BUILDDIR)
	$(if $(filter check test,$(GOALS)),@LESSONPACK_LOCKED=1 flock $(BUILDDIR)/.lock $(MAKE) --no-print-directory gate-tools)
	@LESSONPACK_LOCKED=1 flock $(BUILDDIR)/.lock $(UNDER_ZYGOTE) $(MAKE) -j$(JOBS) --output-sync=target --no-print-directory $(MAKECMDGOALS)
$(wordlist 2,$(words $(GOALS)),$(GOALS)): $(firstword $(GOALS))
	@:
LESSONPACK_LOCKED := outer
endif
endif

ifneq ($(LESSONPACK_LOCKED),outer)

# Reproducible outputs: dates come from the last commit, never the clock.
# Read once per make (a commit made during a build cannot give its builds two dates).
ifndef SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH := $(or $(shell git log -1 --format=%ct 2>/dev/null),315532800)
endif
export SOURCE_DATE_EPOCH
export PYTHONHASHSEED := 0
# The builds of one run print each message once (lessonpack.messages); each run starts afresh.
$(if $(LESSONPACK_LOCKED),$(shell rm -f $(BUILDDIR)/cache/messages.txt))

SOURCES := $(shell find $(addprefix $(SRC_PREFIX),$(SOURCE_DIRS)) -type f 2>/dev/null | sort)
# make splits file names at spaces and web addresses mangle '#', '%', '?'...: a source file or
# folder named with anything but letters, digits, '.', '_' and '-' stops here, before any build.
BAD_NAMES := $(shell LC_ALL=C find $(addprefix $(SRC_PREFIX),$(SOURCE_DIRS)) -name '*[^A-Za-z0-9._-]*' -printf '"%p" ' 2>/dev/null)
ifneq ($(BAD_NAMES),)
ifneq ($(filter-out clean lint fonts serve,$(or $(MAKECMDGOALS),all)),)
$(error rename $(BAD_NAMES)with letters, digits, '.', '_' and '-' only (no spaces): see AUTHORING.md, "Files, images and file names")
endif
endif
PACKAGE := $(shell find src -type f \( -name '*.py' -o -name '*.css' -o -name '*.html' -o -name '*.jinja' -o -name '*.toml' -o -name '*.xml' -o -name mimetype -o -name '*.mo' \) 2>/dev/null | sort)
INPUTS := $(SOURCES) $(PACKAGE) $(VENV)/.installed $(BUILDDIR)/conf.checked
PUBLISH := $(BIN)/python -m lessonpack.publish
# Sphinx keeps its environment when only our extension changed; start afresh when it has.
FRESH = $(if $(filter $(PACKAGE) pyproject.toml $(CONFDIR)/conf.py,$?),-E)

.PHONY: all html teacher-html epub pdf slides lms test check lint serve clean fonts bench lock gate-tools system-fonts
.DELETE_ON_ERROR:

# The longest builds first (make starts prerequisites in order): the PDFs, then the slides.
all: pdf slides teacher-html html epub lms

# Set-up: a virtual environment with every Python package from the lock (each version and its
# hashes), the project itself without fetching anything, and WeasyPrint's system libraries.
# uv installs them (the lock pins it too; ten times faster than pip): a uv at hand (UV=its path,
# as the gate's second build passes its own) is used as it is, otherwise pip installs the lock's
# uv first, with the lock's hashes.
# Python keeps the byte code it compiles (PYTHONDONTWRITEBYTECODE unset for every command):
# otherwise every process (each build, rendering process and merge) compiles what it imports
# from source again, about 2.5 s of CPU for Sphinx and WeasyPrint. Only what is imported is
# compiled, once, by the first process that imports it.
unexport PYTHONDONTWRITEBYTECODE
LOCK := requirements.lock
export LESSONPACK_LOCK := $(abspath $(LOCK))# part of the PDF render cache's key (pdf/cache.py)
# The system packages' check needs only Python's standard library: it runs before the virtual
# environment exists, so a missing tool stops `make check` at once.
SYSDEPS := PYTHONPATH=src $(PYTHON) -m lessonpack.sysdeps
UV ?=
UV_INSTALL = $(or $(UV),$(BIN)/uv) pip install -q --python $(BIN)/python --no-deps
$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(if $(UV),--without-pip) $(VENV)
	$(if $(UV),,sed -n '/^uv==/,/^[^ ]/{/^uv==/p;/^ /p}' $(LOCK) > $(VENV)/uv.txt)
	$(if $(UV),,$(BIN)/pip install -q --require-hashes --no-deps -r $(VENV)/uv.txt)
	$(UV_INSTALL) --require-hashes -r $(LOCK)
	$(UV_INSTALL) --no-build-isolation -e .
	$(BIN)/python -m lessonpack.sysdeps
	touch $@

# Maintainers: pin every package again after changing pyproject.toml (README, "Updating the
# pinned versions"); UPGRADE=--upgrade also moves the unpinned, indirect ones to their newest.
UPGRADE ?=
lock: $(VENV)/.installed
	$(BIN)/uv pip compile --quiet pyproject.toml --extra dev --group build --generate-hashes --universal \
	  --python-version 3.11 --custom-compile-command "make lock" $(UPGRADE) -o $(LOCK)


# What each goal publishes: one publish step per `make`, after every build it asked for succeeded
# (dist/ changes all at once, or not at all). The gate and the tests publish everything.
FORMATS_all := html teacher-html epub pdf slides lms
FORMATS_check := $(FORMATS_all)
FORMATS_test := $(FORMATS_all)
FORMATS_html := html
FORMATS_teacher-html := teacher-html
FORMATS_epub := epub
FORMATS_pdf := pdf
FORMATS_slides := slides
FORMATS_lms := lms
PUBLISHED := $(sort $(foreach goal,$(or $(MAKECMDGOALS),all),$(FORMATS_$(goal))))
STAMPS_html := $(BUILDDIR)/student/html.stamp
STAMPS_teacher-html := $(BUILDDIR)/teacher/html.stamp
STAMPS_epub := $(BUILDDIR)/student/epub.stamp
STAMPS_pdf := $(BUILDDIR)/teacher/pdf.stamp $(BUILDDIR)/student/pdf.stamp
STAMPS_slides := $(BUILDDIR)/teacher/slides.stamp $(BUILDDIR)/student/slides.stamp
STAMPS_lms := $(BUILDDIR)/lms.stamp
MANIFEST := $(DISTDIR)/.manifest.json

# conf.py is run once, before the builds: a fault in it is one line with its file and line.
$(BUILDDIR)/conf.checked: $(CONFDIR)/conf.py $(PACKAGE) $(VENV)/.installed
	@$(BIN)/python -m lessonpack.confcheck $(CONFDIR) && mkdir -p $(@D) && touch $@

html: $(STAMPS_html) $(MANIFEST)
teacher-html: $(STAMPS_teacher-html) $(MANIFEST)
epub: $(STAMPS_epub) $(MANIFEST)
pdf: $(STAMPS_pdf) $(MANIFEST)
slides: $(STAMPS_slides) $(MANIFEST)
lms: $(STAMPS_lms) $(MANIFEST)

# Each build records what it wrote beside its output folder (<outdir>.outputs.json,
# lessonpack.records); the publisher assembles the new dist/ from these records (and the old
# dist/'s other formats) and swaps it in. Never deleted by make: dist/ is the publisher's.
# Also published when dist/ lacks a format the goals ask for, though its builds are up to date
# (dist/ was removed, then another format published).
# (stripped: a list of formats all found is spaces, which $(if) counts as a format missing)
UNPUBLISHED := $(strip $(foreach format,$(PUBLISHED),$(if $(shell grep -s -l '"format": "$(format)"' $(MANIFEST)),,$(format))))
.PRECIOUS: $(MANIFEST)
.PHONY: unpublished
unpublished:
BUILD_ORDER := pdf slides teacher-html html epub
$(MANIFEST): $(foreach format,$(filter $(PUBLISHED),$(BUILD_ORDER)) $(filter-out $(BUILD_ORDER),$(PUBLISHED)),$(STAMPS_$(format))) $(if $(UNPUBLISHED),unpublished)
	$(PUBLISH) $(DISTDIR) $(patsubst %.stamp,%.outputs.json,$(filter %.stamp,$^))

# Every build writes into an empty output folder, so a rebuild gives the bytes a clean build
# gives (the search index is built afresh, every reference resolved again). Sphinx keeps its
# environment beside (-d), so it reads only the documents that changed, the slow part; a fresh
# environment (-E) when the package or conf.py changed. The website and EPUB builds first move
# their last output folder aside (ASIDE: <outdir>.prev, removed after) and copy from it each page
# whose inputs did not change (lessonpack.pagereuse); the PDF builds reuse earlier renders from
# their cache beside the doctrees.
ASIDE = rm -rf $(1).prev && if [ -d $(1) ]; then mv $(1) $(1).prev; fi
$(BUILDDIR)/student/html.stamp: $(INPUTS)
	$(call ASIDE,$(BUILDDIR)/student/html)
	$(SPHINX) -b html $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=student -d $(BUILDDIR)/student/html-doctrees $(SRCDIR) $(BUILDDIR)/student/html
	rm -rf $(BUILDDIR)/student/html.prev
	touch $@

# The teacher edition as a website (dist/teacher-html/), for serving behind a login only
# (deploy/nginx-teacher.conf); every page is marked "Teacher's edition" (lessonpack.teachersite).
$(BUILDDIR)/teacher/html.stamp: $(INPUTS)
	$(call ASIDE,$(BUILDDIR)/teacher/html)
	$(SPHINX) -b html $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=teacher -d $(BUILDDIR)/teacher/html-doctrees $(SRCDIR) $(BUILDDIR)/teacher/html
	rm -rf $(BUILDDIR)/teacher/html.prev
	touch $@

$(BUILDDIR)/student/epub.stamp: $(INPUTS)
	$(call ASIDE,$(BUILDDIR)/student/epub)
	$(SPHINX) -b epub $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=student -d $(BUILDDIR)/student/epub-doctrees $(SRCDIR) $(BUILDDIR)/student/epub
	rm -rf $(BUILDDIR)/student/epub.prev
	touch $@

$(BUILDDIR)/teacher/pdf.stamp: $(INPUTS)
	rm -rf $(BUILDDIR)/teacher/pdf
	$(SPHINX) -b lessonpdf $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=teacher -d $(BUILDDIR)/teacher/pdf-doctrees $(SRCDIR) $(BUILDDIR)/teacher/pdf
	touch $@

# The student book and the photocopiable handouts come from the student edition: no teacher text
# is ever read into them.
$(BUILDDIR)/student/pdf.stamp: $(INPUTS)
	rm -rf $(BUILDDIR)/student/pdf
	$(SPHINX) -b lessonpdf $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=student -d $(BUILDDIR)/student/pdf-doctrees $(SRCDIR) $(BUILDDIR)/student/pdf
	touch $@

# Slide decks, one per lesson (PDF and PowerPoint): the student decks from the student edition's
# doctrees, like the handouts, so no teacher text is ever read into them; the teacher decks add
# each question's guidance as speaker notes.
$(BUILDDIR)/%/slides.stamp: $(INPUTS)
	rm -rf $(BUILDDIR)/$*/slides
	$(SPHINX) -b lessonslides $(SPHINX_ARGS) $(PARALLEL_READ) $(FRESH) -D lessonpack_edition=$* -d $(BUILDDIR)/$*/slides-doctrees $(SRCDIR) $(BUILDDIR)/$*/slides
	touch $@

# The course for a learning platform (dist/lms/: Common Cartridge, QTI zips, Moodle XML), from
# what three builds wrote: the teacher report (the quizzes with keys), the student website's
# record (its pages) and the student PDF build's (the handouts). Published as the teacher's.
$(BUILDDIR)/lms.stamp: $(BUILDDIR)/teacher/html.stamp $(BUILDDIR)/student/html.stamp $(BUILDDIR)/student/pdf.stamp
	$(BIN)/python -m lessonpack.lms $(BUILDDIR)/teacher/html-doctrees/lessonpack-report.json \
	  $(BUILDDIR)/student/html.outputs.json $(BUILDDIR)/student/pdf.outputs.json $(BUILDDIR)/lms --cache $(BUILDDIR)/cache
	touch $@

# The gate's npm tools, pinned in package.json and package-lock.json: axe-core (injected by the
# browser checks), DAISY Ace (its puppeteer drives Debian's Chromium) and the Nu HTML Checker.
# No install scripts: nothing is downloaded (no browser of puppeteer's own).
node_modules/.installed: package.json package-lock.json | gate-tools
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# What the gate and the tests run (Java, Chromium, Node.js and npm, nginx): installed with
# apt-get when root, otherwise named in one apt-get line, before anything is built (the outer
# make above runs this first for `make check` and `make test`).
gate-tools:
	$(SYSDEPS) gate

# The release gate: one line per check (EPUBCheck, accessibility, privacy, leaks, links,
# reproducibility); fails on any problem.
check: gate-tools all node_modules/.installed
	$(BIN)/python -m lessonpack.check --build $(BUILDDIR) --dist $(DISTDIR)

# The tests run JOBS at a time (pytest-xdist), each test file whole on one worker, so a file's
# module fixtures (a small course built once, a gate run) are made once; the slowest files are
# handed out first (tests/conftest.py). They read the book this make has just built in dist/,
# and the PDFs' text the gate kept in $(BUILDDIR)/cache/texts; they do not repeat the gate's clean runs.
test: check
	$(BIN)/ruff check src tests
	@echo "Content of each lesson (the build fails below the limits in book/conf.py):"
	@$(BIN)/python -m lessonpack.report $(BUILDDIR)/student/html-doctrees/lessonpack-report.json
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile

# The benchmark (issue 6), never part of `make test`: builds temporary copies of the course
# through this Makefile and prints a table (BENCHOPTS: e.g. --runs 1 --skip-scaling; see -h).
BENCHOPTS ?=
bench: $(VENV)/.installed
	$(BIN)/python -m lessonpack.bench --srcdir $(SRCDIR) --confdir $(CONFDIR) $(BENCHOPTS)

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
SYSTEM_FONTS ?= /usr/share/fonts
NOTO := $(SYSTEM_FONTS)/truetype/noto
fonts: system-fonts $(VENV)/.installed
system-fonts:
	$(SYSDEPS) fonts --fonts $(SYSTEM_FONTS)
	for face in Regular Italic Bold BoldItalic; do \
	  $(BIN)/python -m lessonpack.fonts $(NOTO)/NotoSerif-$$face.ttf $(FONTS)/NotoSerif-$$face.ttf --text book lessons exercises || exit 1; done
	for face in Regular Bold Italic BoldItalic; do \
	  $(BIN)/python -m lessonpack.fonts $(NOTO)/NotoSans-$$face.ttf $(FONTS)/NotoSans-$$face.ttf --text book lessons exercises || exit 1; done
	$(BIN)/python -m lessonpack.fonts $(SYSTEM_FONTS)/opentype/noto/NotoSerifCJK-Regular.ttc \
	  $(FONTS)/NotoSerifCJKsc-Subset.otf --font-number 2 --only-found --min 2E80 --text book lessons exercises

clean:
	rm -rf $(BUILDDIR) $(DISTDIR)

endif
