# netbackup.nbwss developer and CI entry points. `make test` is the README's test command.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := test

PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $$HOME/.pyenv)
PYTHON311 ?= python3
PYTHON312 ?= $(PYENV_ROOT)/versions/3.12.1/bin/python3.12
PYTHON38 ?= $(PYENV_ROOT)/versions/3.8.18/bin/python3
# websockets releases the probe is tested with on a Python 3.8 target: the newest that installs
# there (13.1) and MINIMUM_WEBSOCKETS_VERSION (plugins/module_utils/_websockets.py).
PROBE_WEBSOCKETS ?= 13.1 11.0
# Target (managed host) Pythons the module code must compile on.
TARGET_PYTHONS ?= 3.8.18 3.9.18 3.10.13 3.11.7 3.12.1 3.13.0

VENV := .venv
VENV_216 := .venv-2.16
VENV_221 := .venv-2.21
# ansible-test refuses symlinked trees and trees inside another git checkout's ignored folders:
# tests run on a copy under /tmp, one per checkout.
# LANE names the copy, so that make test's two lanes (below) never share one.
LANE ?= a
TREE_ROOT := $(or $(TMPDIR),/tmp)/nbwss-tree-$(shell printf %s "$(CURDIR)" | md5sum | cut -c1-8)-$(LANE)
TREE := $(TREE_ROOT)/ansible_collections/netbackup/nbwss
LOGS := .tmp/logs
GET_PIP_CACHE := $(HOME)/.ansible/test/cache

.PHONY: test demo venvs tree units units-one units-matrix sanity sanity-one sanity-matrix target-compile lint galaxy ee probe-compat integration integration-one leak-scan lanes lane-checks lane-integration clean

# ---- environments -------------------------------------------------------------------------------

$(VENV)/.installed: tests/requirements.txt
	$(PYTHON311) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_216)/.installed: tests/requirements-2.16.txt
	$(PYTHON311) -m venv $(VENV_216)
	$(VENV_216)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

$(VENV_221)/.installed: tests/requirements-2.21.txt
	$(PYTHON312) -m venv $(VENV_221)
	$(VENV_221)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

venvs: $(VENV)/.installed $(VENV_216)/.installed $(VENV_221)/.installed $(foreach v,$(PROBE_WEBSOCKETS),.venv-probe-py38-ws$(v)/.installed)
	@# ansible-test --venv bootstraps pip from a host outside the registries; give it an offline stand-in.
	@mkdir -p $(GET_PIP_CACHE)
	@for v in 23_1_2 24_2 25_2; do cp tests/harness/get_pip_offline.py $(GET_PIP_CACHE)/get_pip_$$v.py; done
	@command -v shellcheck >/dev/null || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq shellcheck) >/dev/null 2>&1 || echo "note: shellcheck not installed; ansible-test skips it"; }
	@# The fleet report page is checked in a real browser: Debian's headless Chromium.
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 \
	  || { echo "chromium could not be installed; the report page tests need it"; exit 1; }; }

tree:
	@bash tests/harness/collection_tree.sh $(TREE_ROOT) >/dev/null
	@mkdir -p $(LOGS)

# ---- checks -------------------------------------------------------------------------------------

# Unit, playbook and cloud-application tests of one venv against the copied tree: make units-one V=.venv-2.16
# The playbook tests append their ansible-playbook output to $(LOGS)/playbooks.log for the leak scan.
units-one: tree
	cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_LOG_DIR=$(CURDIR)/$(LOGS) ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  $(CURDIR)/$(V)/bin/python -m pytest -q -p no:cacheprovider tests/unit tests/playbooks tests/cloudapp

units-matrix: venvs tree
	$(MAKE) --no-print-directory units-one V=$(VENV_216) 2>&1 | tee $(LOGS)/units-2.16.log | tail -n 1
	$(MAKE) --no-print-directory units-one V=$(VENV_221) 2>&1 | tee $(LOGS)/units-2.21.log | tail -n 1

sanity-one: tree
	cd $(TREE) && $(CURDIR)/$(V)/bin/ansible-test sanity --venv --python $(P) --color no

sanity-matrix: venvs tree
	@for spec in "$(VENV) 3.11" "$(VENV_216) 3.11" "$(VENV_221) 3.12"; do \
	  set -- $$spec; echo "== ansible-test sanity: ansible-core $$($$1/bin/python -c 'import ansible.release as r; print(r.__version__)') on Python $$2"; \
	  $(MAKE) --no-print-directory sanity-one V=$$1 P=$$2 > $(LOGS)/sanity-$$1.log 2>&1 \
	    || { grep -E '^(ERROR|FATAL)' $(LOGS)/sanity-$$1.log; exit 1; }; \
	  grep -c '^Running sanity test' $(LOGS)/sanity-$$1.log | sed 's/^/   sanity tests run: /'; \
	done

sanity: sanity-matrix

target-compile:
	@for v in $(TARGET_PYTHONS); do \
	  py=$(PYENV_ROOT)/versions/$$v/bin/python3; \
	  [ -x $$py ] || { echo "Python $$v is not installed at $$py"; exit 1; }; \
	  $$py -c 'import sys; [compile(open(f, "rb").read(), f, "exec") for f in sys.argv[1:]]' \
	    $$(ls plugins/modules/*.py plugins/module_utils/*.py 2>/dev/null); \
	  echo "   module code compiles on Python $$v"; \
	done

lint: venvs tree
	cd $(TREE) && PATH=$(CURDIR)/$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  ansible-lint --profile production --offline --nocolor 2>&1 | tail -n 1

galaxy: venvs tree
	@rm -rf .tmp/build && mkdir -p .tmp/build
	cd $(TREE) && $(CURDIR)/$(VENV)/bin/ansible-galaxy collection build --force --output-path $(CURDIR)/.tmp/build >/dev/null
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH GALAXY_IMPORTER_RUN_ANSIBLE_TEST=false GALAXY_IMPORTER_CHECK_REQUIRED_TAGS=true \
	  $(VENV)/bin/python -m galaxy_importer.main .tmp/build/netbackup-nbwss-*.tar.gz > $(LOGS)/galaxy-importer.log 2>&1 \
	  || { tail -n 30 $(LOGS)/galaxy-importer.log; exit 1; }
	@if grep -E '^(ERROR|WARNING)' $(LOGS)/galaxy-importer.log; then echo "galaxy-importer reported the lines above"; exit 1; fi
	@echo "   galaxy-importer: $$(grep -c . $(LOGS)/galaxy-importer.log) lines, no errors or warnings"
	@$(VENV)/bin/python tests/harness/check_tarball.py .tmp/build/netbackup-nbwss-*.tar.gz

# AWX / AAP execution environment: the collection's meta/execution-environment.yml as ansible-builder sees it
# (introspect over the installed tarball), and the build context of tests/ee/execution-environment.yml
# (create; no container is built here). Run after `make galaxy`.
ee: venvs
	@rm -rf .tmp/ee && mkdir -p .tmp/ee
	@$(VENV)/bin/ansible-galaxy collection install --force -p .tmp/ee/collections .tmp/build/netbackup-nbwss-*.tar.gz > $(LOGS)/ee.log 2>&1
	@$(VENV)/bin/ansible-builder introspect --sanitize .tmp/ee/collections > .tmp/ee/introspect.txt 2>> $(LOGS)/ee.log
	@for dep in 'cryptography>=3.3' 'websockets>=11.0' 'libffi-devel'; do \
	  grep -q -- "$$dep" .tmp/ee/introspect.txt || { echo "ansible-builder introspect did not find $$dep"; cat .tmp/ee/introspect.txt; exit 1; }; \
	done
	@$(VENV)/bin/ansible-builder create -f tests/ee/execution-environment.yml -c .tmp/ee/context --output-filename Containerfile >> $(LOGS)/ee.log 2>&1 \
	  || { tail -n 20 $(LOGS)/ee.log; exit 1; }
	@test -s .tmp/ee/context/Containerfile
	@echo "   ansible-builder: introspect finds the collection's Python and system requirements; create wrote .tmp/ee/context/Containerfile"

# The probe engine and module on a Python 3.8 target (PROBE_WEBSOCKETS, defined at the top) with the
# cloud application the tests talk to on $(VENV) (Python 3.11, websockets 17).
PROBE_TESTS := tests/unit/plugins/module_utils/test_probe.py tests/unit/plugins/module_utils/test_probe_groups.py \
  tests/cloudapp/test_probe_engine.py tests/cloudapp/test_probe_module.py

# ansible-core 2.16 declares Python >= 3.10 for the controller; a 3.8 target runs only its module_utils.
.venv-probe-py38-ws%/.installed: tests/requirements-probe-py38.txt
	$(PYTHON38) -m venv $(@D)
	$(@D)/bin/pip install --quiet --disable-pip-version-check -r $< websockets==$*
	$(@D)/bin/pip install --quiet --disable-pip-version-check --no-deps --ignore-requires-python ansible-core==2.16.19
	touch $@

probe-compat: venvs tree
	@for v in $(PROBE_WEBSOCKETS); do \
	  py=$(CURDIR)/.venv-probe-py38-ws$$v/bin/python; \
	  echo "== probe engine on $$($$py -c 'import platform, websockets; print("Python", platform.python_version(), "websockets", websockets.__version__)')"; \
	  ( cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_CLOUDAPP_PYTHON=$(CURDIR)/$(VENV)/bin/python \
	      $$py -m pytest -q -p no:cacheprovider $(PROBE_TESTS) ) 2>&1 | tee $(LOGS)/probe-py38-ws$$v.log | tail -n 1 || exit 1; \
	done

# Integration targets (tests/integration/targets) on this host, on every supported ansible-core line
# we test (2.16, 2.19, 2.21): --local makes the venv's Python, which has cryptography, the managed
# host's interpreter too. Full logs: $(LOGS)/integration-<version>.log. One version: make integration-one V=.venv P=3.11
# The probe target also runs the module on a Python 3.8 managed host (ansible-core 2.19 and older):
# the probe-compat venv with websockets 13.1.
INTEGRATION_TARGETS ?=
INTEGRATION_MATRIX ?= $(VENV_216):3.11 $(VENV):3.11 $(VENV_221):3.12
PROBE_PY38_VENV := .venv-probe-py38-ws13.1
integration-one: tree $(PROBE_PY38_VENV)/.installed
	@# Targets that need the reference cloud application run tools/cloudapp from the tree with the default venv.
	@printf 'nbwss_collection_root: %s\nnbwss_cloudapp_python: %s\nnbwss_probe_py38_python: %s\n' \
	  "$(TREE)" "$(CURDIR)/$(VENV)/bin/python" "$(CURDIR)/$(PROBE_PY38_VENV)/bin/python" \
	  > $(TREE)/tests/integration/integration_config.yml
	@log=$(LOGS)/integration-$$($(V)/bin/python -c 'import ansible.release as r; print(r.__version__)').log; \
	start=$$(date +%s); rc=0; \
	( cd $(TREE) && $(CURDIR)/$(V)/bin/ansible-test integration --local --python $(P) --diff --color no -vvvv \
	    $(INTEGRATION_TARGETS) ) > $$log 2>&1 || rc=$$?; \
	secs=$$(( $$(date +%s) - start )); \
	recap=$$({ grep -E '^testhost +: ' $$log || true; } | awk '{for (i = 3; i <= NF; i++) { split($$i, kv, "="); t[kv[1]] += kv[2] }} \
	  END { printf "ok=%d changed=%d failed=%d ignored=%d", t["ok"], t["changed"], t["failed"], t["ignored"] }'); \
	targets=$$(grep -cE '^Running .* integration test role' $$log || true); \
	if [ $$rc -ne 0 ]; then \
	  grep -nE '^fatal: |^ERROR: |^\[ERROR\]: [^T]|"assertion": ' $$log | grep -v 'ignoring' | tail -n 20 || true; \
	  echo "   integration: FAILED (exit $$rc) after $$targets target(s) in $${secs}s; tasks: $$recap; log: $$log"; exit $$rc; \
	fi; \
	echo "   integration: $$targets targets passed in $${secs}s; tasks: $$recap; log: $$log"

integration: venvs tree $(PROBE_PY38_VENV)/.installed
	@for spec in $(INTEGRATION_MATRIX); do \
	  v=$${spec%%:*}; p=$${spec##*:}; echo "== ansible-test integration: ansible-core $$($$v/bin/python -c 'import ansible.release as r; print(r.__version__)') on Python $$p"; \
	  $(MAKE) --no-print-directory integration-one V=$$v P=$$p || exit 1; \
	done

# No fake token of the suite may appear in any log under $(LOGS).
leak-scan:
	@$(VENV)/bin/python tests/harness/leak_scan.py --logs $(LOGS) | sed 's/^/   /'

# The default venv's full pytest run comes last so that its summary line closes `make test`.
units: venvs tree
	cd $(TREE) && PYTHONPATH=$(TREE_ROOT) NBWSS_LOG_DIR=$(CURDIR)/$(LOGS) ANSIBLE_COLLECTIONS_PATH=$(TREE_ROOT) \
	  $(CURDIR)/$(VENV)/bin/python -m pytest -p no:cacheprovider -q -ra tests/unit tests/playbooks tests/cloudapp

# Most of a run waits on child processes (ansible-playbook, timeouts, the cloud application), so
# the checks run in two lanes side by side, each on its own copy of the tree, and each lane's output
# is shown when both are done. The default venv's full pytest run comes last, alone.
lane-checks:
	@echo "== sanity";          $(MAKE) --no-print-directory LANE=a sanity
	@echo "== target compile";  $(MAKE) --no-print-directory LANE=a target-compile
	@echo "== galaxy";          $(MAKE) --no-print-directory LANE=a galaxy
	@echo "== execution environment"; $(MAKE) --no-print-directory LANE=a ee
	@echo "== units + playbook + cloudapp tests (2.16, 2.21)"; $(MAKE) --no-print-directory LANE=a units-matrix

lane-integration:
	@echo "== probe engine on Python 3.8"; $(MAKE) --no-print-directory LANE=b probe-compat
	@echo "== integration";     $(MAKE) --no-print-directory LANE=b integration

lanes: venvs
	@rc=0; \
	( $(MAKE) --no-print-directory lane-checks > $(LOGS)/lane-checks.out 2>&1; echo $$? > $(LOGS)/lane-checks.rc ) & \
	( $(MAKE) --no-print-directory lane-integration > $(LOGS)/lane-integration.out 2>&1; echo $$? > $(LOGS)/lane-integration.rc ) & \
	wait; \
	for lane in checks integration; do \
	  grep -v "^WARNING: Location '" $(LOGS)/lane-$$lane.out || true; \
	  [ "$$(cat $(LOGS)/lane-$$lane.rc)" = 0 ] || { echo "== lane $$lane FAILED"; rc=1; }; \
	done; \
	exit $$rc

test:
	@$(MAKE) --no-print-directory -j4 venvs
	@rm -rf $(LOGS) && mkdir -p $(LOGS)
	@echo "== lint";            $(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory lanes
	@echo "== leak scan";       $(MAKE) --no-print-directory leak-scan
	@echo "== units + playbook tests (default)"; $(MAKE) --no-print-directory units

# The demo: a runtime-only virtualenv (fast to create), then tools/demo (cloud application, rollout twice, stop).
VENV_DEMO := .venv-demo
$(VENV_DEMO)/.installed: tools/demo/requirements.txt
	$(PYTHON311) -m venv $(VENV_DEMO)
	$(VENV_DEMO)/bin/pip install --quiet --disable-pip-version-check -r $<
	touch $@

demo: $(VENV_DEMO)/.installed
	@$(VENV_DEMO)/bin/python -m tools.demo

clean:
	rm -rf .tmp $(subst -$(LANE),-a,$(TREE_ROOT)) $(subst -$(LANE),-b,$(TREE_ROOT))
