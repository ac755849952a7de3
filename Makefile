# netbackup.nbwss: how it is built and tested. `make test` is the README's test command, `make demo`
# the README's first command. Read top to bottom: settings, system packages, virtualenvs, the copy of
# the tree the tools run on, each check, then `make test`, which runs them all, and `make demo`.
#
# Every check is one target whose recipe is plain shell; none calls make again. Only `make test`
# calls make, one level deep: to build the virtualenvs side by side, once per lane, for the leak scan.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

# ---- settings -----------------------------------------------------------------------------------

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON311 ?= python3
PYTHON312 ?= $(PYENV_ROOT)/versions/3.12.1/bin/python3.12
PYTHON38 ?= $(PYENV_ROOT)/versions/3.8.18/bin/python3
PYTHON36 ?= $(PYENV_ROOT)/versions/3.6.15/bin/python3
# Target (managed host) Pythons the module code must compile on (3.6: RHEL 8 platform-python, ansible-core 2.16).
TARGET_PYTHONS ?= 3.6.15 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0
# websockets releases the probe is tested with on a Python 3.8 target: the newest that installs
# there (13.1) and MINIMUM_WEBSOCKETS_VERSION (plugins/module_utils/_websockets.py).
PROBE_WEBSOCKETS ?= 13.1 11.0

# Controllers: ansible-core 2.19 (the default venv, with the tool chain), 2.16 (oldest), 2.21 (newest).
VENV := .venv
VENV_216 := .venv-2.16
VENV_221 := .venv-2.21
# Managed hosts: Python 3.8 with the probe's websockets releases, Python 3.6 (RHEL 8's platform-python).
PROBE_VENVS := $(foreach v,$(PROBE_WEBSOCKETS),.venv-probe-py38-ws$(v))
PROBE_PY38_VENV := .venv-probe-py38-ws13.1
VENV_PY36 := .venv-py36
# make demo's runtime-only virtualenv.
VENV_DEMO := .venv-demo
# ansible-rulebook (Event-Driven Ansible) and its Java bridge; it pins its own websockets.
VENV_EDA := .venv-eda

# Which venvs (and, for ansible-test sanity and integration, which Python) each matrix runs; override
# one to run a single version, e.g. make integration INTEGRATION_MATRIX=.venv:3.11 INTEGRATION_TARGETS=probe
SANITY_MATRIX ?= $(VENV):3.11 $(VENV_216):3.11 $(VENV_221):3.12
UNITS_MATRIX ?= $(VENV_216) $(VENV_221) $(VENV)
INTEGRATION_MATRIX ?= $(VENV_216):3.11 $(VENV):3.11 $(VENV_221):3.12
INTEGRATION_TARGETS ?=
# The collection's Python tests: unit, playbook runs, the reference cloud application's own tests,
# and the collection against that application (system).
PYTEST_DIRS := tests/unit tests/playbooks tests/cloudapp tests/system
# The tests that need ansible-rulebook, on its own venv (the eda step).
EDA_PYTEST_DIRS := tests/eda
# The probe tests that also run on a Python 3.8 target (probe-compat).
PROBE_TESTS := tests/unit/plugins/module_utils/test_probe.py tests/unit/plugins/module_utils/test_probe_groups.py \
  tests/system/test_probe_engine.py tests/system/test_probe_module.py

# ansible-test refuses symlinked trees and trees inside another git checkout's ignored folders: the
# checks run on a copy under /tmp, one per checkout and LANE, so that make test's two lanes never
# share one. Every make run copies it afresh (the `tree` target).
LANE ?= a
TREE_ROOT := $(or $(TMPDIR),/tmp)/nbwss-tree-$(shell printf %s "$(CURDIR)" | md5sum | cut -c1-8)-$(LANE)
TREE := $(TREE_ROOT)/ansible_collections/netbackup/nbwss
# Every check's log; the leak scan reads every *.log here.
LOGS := .tmp/logs
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := .tmp/build/netbackup-nbwss-$(VERSION).tar.gz
GET_PIP_CACHE := $(HOME)/.ansible/test/cache
# pip's notes about the package index locations of this machine's pip configuration, left out of the output.
PIP_NOISE := grep -vE "(Location|Url) '[^']*' is ignored: it is neither a file nor a directory"

.PHONY: test demo system-packages venvs tree lint docs-lint sanity target-compile galaxy ee units-matrix \
  probe-compat eda integration leak-scan units clean

# ---- system packages (Debian) -------------------------------------------------------------------

# As command:package, or one name when both are the same. The checks need shellcheck (ansible-test
# sanity), chromium (the report page is checked in headless Chromium), openssl (an openssl s_server
# in the probe tests), git (the README tour's clone), promtool (Debian's prometheus: the metrics files
# and the alert rules) and java (ansible-rulebook's rule engine: a Java 17 runtime). make demo needs
# none: it is pure PyPI.
TEST_SYSTEM_PACKAGES := shellcheck chromium openssl git promtool:prometheus java:openjdk-17-jre-headless /usr/bin/time:time
DEMO_SYSTEM_PACKAGES :=
test: SYSTEM_PACKAGES := $(TEST_SYSTEM_PACKAGES)
demo: SYSTEM_PACKAGES := $(DEMO_SYSTEM_PACKAGES)
SYSTEM_PACKAGES ?= $(TEST_SYSTEM_PACKAGES) $(DEMO_SYSTEM_PACKAGES)

# Installs only what is missing (apt-get update first, as Debian wants).
system-packages:
	@missing=; for need in $(SYSTEM_PACKAGES); do \
	  command -v "$${need%%:*}" >/dev/null || missing="$$missing $${need#*:}"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "== system packages:$$missing (apt-get)"; \
	  { command -v apt-get >/dev/null && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; } >/dev/null 2>&1 \
	  || { echo "could not install$$missing with apt-get: install them (Debian packages) and run make again"; exit 1; }; \
	fi

# ---- virtualenvs (each a file target: rebuilt when its requirements file changes) ---------------
# An existing venv (or a symlink to one) is updated in place by pip, not created again.

$(VENV)/.installed: tests/requirements.txt
	test -x $(@D)/bin/python || $(PYTHON311) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_216)/.installed: tests/requirements-2.16.txt
	test -x $(@D)/bin/python || $(PYTHON311) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_221)/.installed: tests/requirements-2.21.txt
	test -x $(@D)/bin/python || $(PYTHON312) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

# The probe's managed-host side on Python 3.8, one venv per websockets release. ansible-core 2.16
# declares Python >= 3.10 for the controller; a 3.8 target runs only its module_utils.
.venv-probe-py38-ws%/.installed: tests/requirements-probe-py38.txt
	test -x $(@D)/bin/python || $(PYTHON38) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $< websockets==$*
	$(@D)/bin/pip install --quiet --disable-pip-version-check --no-deps --ignore-requires-python ansible-core==2.16.19
	touch $@

# A Python 3.6 managed host for the 2.16 integration run. Python 3.6's own pip (18.1) cannot take
# cryptography's manylinux wheels and would build it from source; 21.3.1 is the last pip for 3.6.
$(VENV_PY36)/.installed: tests/requirements-py36.txt
	test -x $(@D)/bin/python || $(PYTHON36) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check pip==21.3.1
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_EDA)/.installed: tests/requirements-eda.txt
	test -x $(@D)/bin/python || $(PYTHON311) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_DEMO)/.installed: tools/demo/requirements.txt
	test -x $(@D)/bin/python || $(PYTHON311) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

# ansible-test --venv bootstraps pip with a script from a host outside the package registries; it
# uses a cached copy when there is one, so the cache holds an offline stand-in (one per release line).
GET_PIP := $(foreach v,23_1_2 24_2 25_2,$(GET_PIP_CACHE)/get_pip_$(v).py)
$(GET_PIP): tests/harness/get_pip_offline.py
	@mkdir -p $(@D) && cp $< $@

TEST_VENVS := $(VENV) $(VENV_216) $(VENV_221) $(PROBE_VENVS) $(VENV_PY36) $(VENV_EDA)
venvs: $(TEST_VENVS:%=%/.installed) $(GET_PIP)

# ---- the tree the checks run on -----------------------------------------------------------------

tree:
	@bash tests/harness/collection_tree.sh $(TREE_ROOT) >/dev/null
	@mkdir -p $(LOGS)

# ---- checks (each on its own: make lint, make sanity, ...) --------------------------------------

lint: $(VENV)/.installed tree
	@echo "== lint"
	@cd $(TREE) && PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  ansible-lint --profile production --offline --nocolor > $(CURDIR)/$(LOGS)/ansible-lint.log 2>&1 \
	  || { grep -v "^WARNING: Location '" $(CURDIR)/$(LOGS)/ansible-lint.log | tail -n 40; exit 1; }
	@tail -n 1 $(LOGS)/ansible-lint.log | sed 's/^/   ansible-lint: /'

# The plugin and role docs as docs.ansible.com renders them, every collection reference resolved
# (antsibull-docs, offline, with the venv's ansible-doc).
docs-lint: $(VENV)/.installed tree
	@echo "== docs lint"
	@cd $(TREE) && PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs=all \
	    --disallow-unknown-collection-refs . > $(CURDIR)/$(LOGS)/antsibull-docs.log 2>&1 \
	  || { sed 's#^.*/ansible_collections/netbackup/nbwss/#   #' $(CURDIR)/$(LOGS)/antsibull-docs.log; \
	       echo "   antsibull-docs: $$(grep -c ':0:0: ' $(CURDIR)/$(LOGS)/antsibull-docs.log) problem(s)"; exit 1; }
	@echo "   antsibull-docs lint-collection-docs --plugin-docs: no problems"

sanity: $(VENV)/.installed $(VENV_216)/.installed $(VENV_221)/.installed $(GET_PIP) tree
	@echo "== sanity"
	@for spec in $(SANITY_MATRIX); do \
	  v=$${spec%%:*}; p=$${spec##*:}; log=$(LOGS)/sanity-$$v.log; \
	  echo "== ansible-test sanity: ansible-core $$($$v/bin/python -c 'import ansible.release as r; print(r.__version__)') on Python $$p"; \
	  ( cd $(TREE) && $(CURDIR)/$$v/bin/ansible-test sanity --venv --python $$p --color no ) > $$log 2>&1 \
	    || { grep -E '^(ERROR|FATAL)' $$log; exit 1; }; \
	  echo "   sanity tests run: $$(grep -c '^Running sanity test' $$log)"; \
	done

target-compile:
	@echo "== target compile"
	@for v in $(TARGET_PYTHONS); do \
	  py=$(PYENV_ROOT)/versions/$$v/bin/python3; \
	  [ -x $$py ] || { echo "Python $$v is not installed at $$py"; exit 1; }; \
	  $$py -c 'import sys; [compile(open(f, "rb").read(), f, "exec") for f in sys.argv[1:]]' \
	    $$(ls plugins/modules/*.py plugins/module_utils/*.py 2>/dev/null); \
	  echo "   module code compiles on Python $$v"; \
	done

# The collection tarball, built from the tree (so once per make run).
$(TARBALL): $(VENV)/.installed tree
	@rm -rf $(@D) && mkdir -p $(@D)
	@cd $(TREE) && $(CURDIR)/$(VENV)/bin/ansible-galaxy collection build --force --output-path $(CURDIR)/$(@D) >/dev/null

galaxy: $(TARBALL)
	@echo "== galaxy"
	@PATH=$(CURDIR)/$(VENV)/bin:$$PATH GALAXY_IMPORTER_RUN_ANSIBLE_TEST=false GALAXY_IMPORTER_CHECK_REQUIRED_TAGS=true \
	  $(VENV)/bin/python -m galaxy_importer.main $(TARBALL) > $(LOGS)/galaxy-importer.log 2>&1 \
	  || { tail -n 30 $(LOGS)/galaxy-importer.log; exit 1; }
	@if grep -E '^(ERROR|WARNING)' $(LOGS)/galaxy-importer.log; then echo "galaxy-importer reported the lines above"; exit 1; fi
	@echo "   galaxy-importer: $$(grep -c . $(LOGS)/galaxy-importer.log) lines, no errors or warnings"
	@$(VENV)/bin/python tests/harness/check_tarball.py $(TARBALL)

# AWX / AAP execution environment: the collection's meta/execution-environment.yml as ansible-builder
# sees it (introspect over the installed tarball), and the build context of tests/ee/execution-environment.yml
# (create; no container is built here).
ee: $(TARBALL) $(VENV)/.installed
	@echo "== execution environment"
	@rm -rf .tmp/ee && mkdir -p .tmp/ee
	@$(VENV)/bin/ansible-galaxy collection install --force -p .tmp/ee/collections $(TARBALL) > $(LOGS)/ee.log 2>&1
	@$(VENV)/bin/ansible-builder introspect --sanitize .tmp/ee/collections > .tmp/ee/introspect.txt 2>> $(LOGS)/ee.log
	@for dep in 'cryptography>=3.3' 'websockets>=11.0' 'libffi-devel'; do \
	  grep -q -- "$$dep" .tmp/ee/introspect.txt || { echo "ansible-builder introspect did not find $$dep"; cat .tmp/ee/introspect.txt; exit 1; }; \
	done
	@$(VENV)/bin/ansible-builder create -f tests/ee/execution-environment.yml -c .tmp/ee/context --output-filename Containerfile >> $(LOGS)/ee.log 2>&1 \
	  || { tail -n 20 $(LOGS)/ee.log; exit 1; }
	@test -s .tmp/ee/context/Containerfile
	@echo "   ansible-builder: introspect finds the collection's Python and system requirements; create wrote .tmp/ee/context/Containerfile"

# The Python tests (PYTEST_DIRS) on the oldest, newest and default controllers, each run's output in
# $(LOGS)/units-<ansible-core version>.log (with the reasons for any skip); the playbook tests append
# their ansible-playbook output to $(LOGS)/playbooks.log for the leak scan.
units-matrix: $(UNITS_MATRIX:%=%/.installed) tree
	@echo "== units + playbook + cloudapp + system tests ($(UNITS_MATRIX))"
	@for v in $(UNITS_MATRIX); do \
	  version=$$($$v/bin/python -c 'import ansible.release as r; print(r.__version__)'); log=$(LOGS)/units-$$version.log; \
	  ( cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_LOG_DIR=$(CURDIR)/$(LOGS) ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	      $(CURDIR)/$$v/bin/python -m pytest -q -ra -p no:cacheprovider $(PYTEST_DIRS) ) > $$log 2>&1 \
	    || { grep -E '^(FAILED|ERROR) ' $$log; echo "   ansible-core $$version: $$(tail -n 1 $$log); log: $$log"; exit 1; }; \
	  echo "   ansible-core $$version: $$(tail -n 1 $$log)"; \
	done

# The probe engine and module on a Python 3.8 target (PROBE_WEBSOCKETS) with the cloud application
# the tests talk to on $(VENV) (Python 3.11, websockets 17).
probe-compat: $(PROBE_VENVS:%=%/.installed) $(VENV)/.installed tree
	@echo "== probe engine on Python 3.8"
	@for v in $(PROBE_WEBSOCKETS); do \
	  py=$(CURDIR)/.venv-probe-py38-ws$$v/bin/python; log=$(LOGS)/probe-py38-ws$$v.log; \
	  echo "== probe engine on $$($$py -c 'import platform, websockets; print("Python", platform.python_version(), "websockets", websockets.__version__)')"; \
	  ( cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_CLOUDAPP_PYTHON=$(CURDIR)/$(VENV)/bin/python \
	      $$py -m pytest -q -p no:cacheprovider $(PROBE_TESTS) ) > $$log 2>&1 \
	    || { grep -E '^(FAILED|ERROR) ' $$log; echo "   $$(tail -n 1 $$log); log: $$log"; exit 1; }; \
	  echo "   $$(tail -n 1 $$log)"; \
	done

# The Event-Driven Ansible tests (tests/eda) on $(VENV_EDA): the event source under a real
# ansible-rulebook, with the example rulebook, against the reference cloud application (run by $(VENV)).
eda: $(VENV_EDA)/.installed $(VENV)/.installed tree
	@echo "== event-driven ansible (ansible-rulebook)"
	@log=$(LOGS)/eda.log; \
	( cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_LOG_DIR=$(CURDIR)/$(LOGS) ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	    NBWSS_CLOUDAPP_PYTHON=$(CURDIR)/$(VENV)/bin/python PATH=$(CURDIR)/$(VENV_EDA)/bin:$$PATH \
	    $(CURDIR)/$(VENV_EDA)/bin/python -m pytest -q -ra -p no:cacheprovider $(EDA_PYTEST_DIRS) ) > $$log 2>&1 \
	  || { grep -E '^(FAILED|ERROR) ' $$log; echo "   $$(tail -n 1 $$log); log: $$log"; exit 1; }; \
	echo "   $$($(VENV_EDA)/bin/ansible-rulebook --version 2>/dev/null | head -n 1): $$(tail -n 1 $$log)"

# Integration targets (tests/integration/targets) on this host, on ansible-core 2.16, 2.19 and 2.21:
# --local makes the venv's Python, which has cryptography, the managed host's interpreter too. Targets
# get their settings from integration_config.yml: the tree (tools/cloudapp runs from it on $(VENV)) and
# the managed-host Pythons 3.8 (probe, websockets 13.1) and 3.6 (2.16 only: 2.17+ need 3.7+/3.8+).
integration: $(VENV)/.installed $(VENV_216)/.installed $(VENV_221)/.installed $(PROBE_PY38_VENV)/.installed $(VENV_PY36)/.installed tree
	@echo "== integration"
	@printf 'nbwss_collection_root: %s\nnbwss_cloudapp_python: %s\nnbwss_probe_py38_python: %s\nnbwss_py36_python: %s\n' \
	  "$(TREE)" "$(CURDIR)/$(VENV)/bin/python" "$(CURDIR)/$(PROBE_PY38_VENV)/bin/python" "$(CURDIR)/$(VENV_PY36)/bin/python" \
	  > $(TREE)/tests/integration/integration_config.yml
	@for spec in $(INTEGRATION_MATRIX); do \
	  v=$${spec%%:*}; p=$${spec##*:}; version=$$($$v/bin/python -c 'import ansible.release as r; print(r.__version__)'); \
	  log=$(LOGS)/integration-$$version.log; \
	  echo "== ansible-test integration: ansible-core $$version on Python $$p"; \
	  start=$$(date +%s); rc=0; \
	  ( cd $(TREE) && $(CURDIR)/$$v/bin/ansible-test integration --local --python $$p --diff --color no -vvvv \
	      $(INTEGRATION_TARGETS) ) > $$log 2>&1 || rc=$$?; \
	  secs=$$(( $$(date +%s) - start )); \
	  recap=$$({ grep -E '^testhost +: ' $$log || true; } | awk '{for (i = 3; i <= NF; i++) { split($$i, kv, "="); t[kv[1]] += kv[2] }} \
	    END { printf "ok=%d changed=%d failed=%d ignored=%d", t["ok"], t["changed"], t["failed"], t["ignored"] }'); \
	  targets=$$(grep -cE '^Running .* integration test (role|script)' $$log || true); \
	  if [ $$rc -ne 0 ]; then \
	    grep -nE '^fatal: |^ERROR: |^\[ERROR\]: [^T]|"assertion": ' $$log | grep -v 'ignoring' | tail -n 20 || true; \
	    echo "   integration: FAILED (exit $$rc) after $$targets target(s) in $${secs}s; tasks: $$recap; log: $$log"; exit $$rc; \
	  fi; \
	  echo "   integration: $$targets targets passed in $${secs}s; tasks of the role targets: $$recap; log: $$log"; \
	done

# No fake token or test key of the suite may appear in any log under $(LOGS).
leak-scan: $(VENV)/.installed
	@echo "== leak scan"
	@$(VENV)/bin/python tests/harness/leak_scan.py --logs $(LOGS) | sed 's/^/   /'

# The Python tests (PYTEST_DIRS) on the default venv, output on the terminal, with the reasons for any skip.
units: $(VENV)/.installed tree
	@echo "== units + playbook + cloudapp + system tests (default)"
	@cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_LOG_DIR=$(CURDIR)/$(LOGS) ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  $(CURDIR)/$(VENV)/bin/python -m pytest -p no:cacheprovider -q -ra $(PYTEST_DIRS)

# ---- make test ----------------------------------------------------------------------------------

# Most of a run waits on child processes (ansible-playbook, timeouts, the cloud application), so
# the checks run in two lanes side by side: each lane is one make running its steps in order on its
# own copy of the tree (a failed step does not stop the next ones), and each lane's output is shown
# when both are done. Measured 2026-12-04 (2 cores, fresh clone and HOME, about 22 min in all with
# 2 min of virtualenvs): checks 1178 s (the pytest runs on three controllers, about 4 min each,
# with probe-compat, galaxy and ee), integration 934 s (with eda, 8 s); galaxy, ee and probe-compat
# (about 75 s) have since moved to the integration lane to even them out. Then the leak scan reads
# every log, and the default venv's pytest summary closes `make test`.
LANE_CHECKS := lint docs-lint sanity target-compile units-matrix
LANE_INTEGRATION := integration eda galaxy ee probe-compat

test: system-packages
	@$(MAKE) --no-print-directory -j4 venvs 2>&1 | { $(PIP_NOISE) || true; }
	@rm -rf $(LOGS) && mkdir -p $(LOGS)
	@for lane in checks integration; do \
	  case $$lane in checks) tree=a steps="$(LANE_CHECKS)";; integration) tree=b steps="$(LANE_INTEGRATION)";; esac; \
	  ( start=$$(date +%s); rc=0; \
	    $(MAKE) --no-print-directory --keep-going LANE=$$tree $$steps > $(LOGS)/lane-$$lane.out 2>&1 || rc=$$?; \
	    echo "$$rc $$(( $$(date +%s) - start ))" > $(LOGS)/lane-$$lane.rc ) & \
	done; \
	wait; rc=0; \
	for lane in checks integration; do \
	  read -r lane_rc secs < $(LOGS)/lane-$$lane.rc; \
	  $(PIP_NOISE) $(LOGS)/lane-$$lane.out || true; \
	  if [ "$$lane_rc" = 0 ]; then echo "== lane $$lane: done in $${secs}s"; else echo "== lane $$lane FAILED after $${secs}s"; rc=1; fi; \
	done; \
	exit $$rc
	@$(MAKE) --no-print-directory leak-scan
	@log=$(LOGS)/units-$$($(VENV)/bin/python -c 'import ansible.release as r; print(r.__version__)').log; \
	echo "== units + playbook + cloudapp + system tests (default, $$log)"; \
	if grep -q ' short test summary info ' $$log; then sed -n '/ short test summary info /,$$p' $$log; else tail -n 1 $$log; fi

# ---- make demo ----------------------------------------------------------------------------------

# A runtime-only virtualenv (fast to create), then tools/demo: cloud application, rollout twice, stop.
demo: system-packages $(VENV_DEMO)/.installed
	@$(VENV_DEMO)/bin/python -m tools.demo

clean:
	rm -rf .tmp $(subst -$(LANE),-a,$(TREE_ROOT)) $(subst -$(LANE),-b,$(TREE_ROOT))
