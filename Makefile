# landfall — every command the README shows is a target here.
#
# Needs only Go, Node (any version npm runs on) and npm. `make tools` installs
# the pinned Node toolchain (CDK CLI, cdk-nag, aws-local-stepfunctions,
# asl-validator and Node 22 itself) into infra/toolchain/node_modules from the
# lockfile; nothing is installed globally.

SHELL := /bin/bash
.DEFAULT_GOAL := help

GO          ?= go
TOOLCHAIN   := infra/toolchain
NODE_ARCH   := $(if $(filter aarch64 arm64,$(shell uname -m)),arm64,x64)
NODE_BIN    := $(CURDIR)/$(TOOLCHAIN)/node_modules/node-linux-$(NODE_ARCH)/bin
NPM_BIN     := $(CURDIR)/$(TOOLCHAIN)/node_modules/.bin
# The CDK CLI and jsii run on the pinned Node 22; the system Node only runs npm.
TOOL_PATH   := $(NODE_BIN):$(NPM_BIN):$(PATH)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# The config file to build, synthesize and deploy, and the organization's id
# (o-...; it scopes the pipeline's IAM conditions). ORG_ID defaults to the
# placeholder in cdk.json, which is fine for synth and the demo, not deploy.
CONFIG      ?= infra/landfall.yaml
ORG_ID      ?=
CDK_ARGS    := -c landfall:config=$(CONFIG) $(if $(ORG_ID),-c landfall:organizationId=$(ORG_ID))

FUNCTIONS   := $(notdir $(patsubst %/,%,$(wildcard functions/*/)))
BINARIES    := $(foreach f,$(FUNCTIONS),build/functions/$(f)/bootstrap)
# Each function ships the config file beside its binary (infra/functions.go says why).
CONFIGS     := $(foreach f,$(FUNCTIONS),build/functions/$(f)/landfall.yaml)
GO_SOURCES  := $(shell find pkg functions -name '*.go' -not -name '*_test.go' 2>/dev/null) go.mod go.sum

export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export LANDFALL_TOOL_PATH := $(TOOL_PATH)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(TOOLCHAIN)/node_modules/.installed ## install the pinned Node toolchain from the lockfile

$(TOOLCHAIN)/node_modules/.installed: $(TOOLCHAIN)/package.json $(TOOLCHAIN)/package-lock.json
	cd $(TOOLCHAIN) && npm ci --no-audit --no-fund --loglevel=error
	@test -x "$(NODE_BIN)/node" || { echo "pinned Node 22 missing for $(NODE_ARCH)"; exit 1; }
	touch $@

.PHONY: build
build: $(BINARIES) $(CONFIGS) ## build the Lambda binaries (linux/arm64, lambda.norpc, stripped)

build/functions/%/landfall.yaml: $(CONFIG) FORCE
	@mkdir -p $(dir $@)
	@cmp -s $< $@ || cp $< $@

.PHONY: FORCE
FORCE:

build/functions/%/bootstrap: $(GO_SOURCES)
	@mkdir -p $(dir $@)
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build -tags lambda.norpc -trimpath -ldflags "-s -w" -o $@ ./functions/$*

.PHONY: synth
synth: tools build ## synthesize the CloudFormation templates into cdk.out/ (no AWS credentials needed)
	PATH="$(TOOL_PATH)" cdk synth --quiet $(CDK_ARGS)

.PHONY: diff
diff: tools build ## show what a deploy would change in the organization (needs credentials)
	PATH="$(TOOL_PATH)" cdk diff $(CDK_ARGS)

.PHONY: deploy
deploy: tools build ## deploy every stack: the management account's, and the security account's with centralAlerts: security (needs credentials and cdk bootstrap)
	PATH="$(TOOL_PATH)" cdk deploy --all $(CDK_ARGS)

.PHONY: demo
demo: synth ## run the whole story offline: organization, events, pipeline, alarm, drift, failures
	PATH="$(TOOL_PATH)" $(GO) run ./internal/cmd/landfall-dev demo

.PHONY: test
test: synth ## run every test: unit, contract, synth, cdk-nag and end-to-end
	PATH="$(TOOL_PATH)" $(GO) test -timeout 20m ./...

.PHONY: bench
bench: tools build ## measure speed, API calls and scale; figures in bench-out/ (about 6 minutes)
	@mkdir -p bench-out
	$(GO) build -o bench-out/landfall-dev ./internal/cmd/landfall-dev
	set -o pipefail; PATH="$(TOOL_PATH)" bench-out/landfall-dev bench --out bench-out --synth "$(MAKE) --no-print-directory synth" | tee bench-out/figures.txt
	@# benchstat-comparable: keep go-bench.txt from two runs and compare them.
	set -o pipefail; $(GO) test -run '^$$' -bench . -benchmem -count 10 -benchtime 300ms ./internal/eventpattern ./internal/filterpattern ./pkg/baseline | tee bench-out/go-bench.txt

.PHONY: moto
moto: ## check every baseline item against moto_server 5.2.1, a second emulator (needs moto_server on the PATH)
	@command -v moto_server >/dev/null || { echo "moto_server is not on the PATH: make moto needs moto 5.2.1 (pip install 'moto[server]==5.2.1')" >&2; exit 1; }
	$(GO) test -tags moto -count=1 -run '^TestMotoConformance$$' -v ./pkg/baseline/

.PHONY: lint
lint: ## go vet and staticcheck, also over the moto check's files
	$(GO) vet ./...
	$(GO) vet -tags moto ./pkg/baseline/
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(STATICCHECK) -tags moto ./pkg/baseline/

.PHONY: clean
clean: ## remove build outputs
	rm -rf build cdk.out
