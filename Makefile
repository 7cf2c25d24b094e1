# Açık Kapı - two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

STAGE ?= dev
STACK ?= acikkapi-$(STAGE)
REGION ?= eu-central-1

.PHONY: run test venv unit integration e2e clean chromium package deploy deploy-web

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

## Start the whole local stack (moto server, chalice local, event pump) and print the URLs.
run: $(STAMP)
	$(PY) -m devstack run

## Run the whole test suite: the type checker over chalicelib/ (mypy.ini), then unit,
## contract, integration (moto), infrastructure and end-to-end (real local stack, Chromium).
test: $(STAMP) chromium
	$(PY) -m mypy
	$(PY) -m pytest -n auto

## Debian's Chromium for the browser tests (never a downloaded browser build).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

unit: $(STAMP)
	$(PY) -m pytest tests/unit

integration: $(STAMP)
	$(PY) -m pytest tests/integration

e2e: $(STAMP) chromium
	$(PY) -m pytest tests/e2e

## Package for AWS: build/$(STAGE)/sam.json (Chalice SAM output + infra/template.json) and the code zip.
## A region outside Türkiye (every AWS region) is a transfer abroad (KVKK art. 9): name its basis,
## e.g. TRANSFER_BASIS=standard_contract:2026-01-15 (docs/kvkk.md).
package: $(STAMP)
	$(PY) infra/policies.py --check
	AWS_DEFAULT_REGION=$(REGION) TRANSFER_BASIS=$(TRANSFER_BASIS) $(PY) infra/package.py --stage $(STAGE)
	$(VENV)/bin/cfn-lint build/$(STAGE)/sam.json

## Deploy the packaged stage with CloudFormation (needs AWS credentials and ARTIFACT_BUCKET).
deploy: package
	@test -n "$(ARTIFACT_BUCKET)" || { echo "set ARTIFACT_BUCKET=<an S3 bucket for the code package>"; exit 2; }
	aws cloudformation package --region $(REGION) --template-file build/$(STAGE)/sam.json \
	  --s3-bucket $(ARTIFACT_BUCKET) --s3-prefix $(STACK) --output-template-file build/$(STAGE)/packaged.yaml
	aws cloudformation deploy --region $(REGION) --template-file build/$(STAGE)/packaged.yaml --stack-name $(STACK) \
	  --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides Stage=$(STAGE) $(if $(MAIL_FROM),MailFrom=$(MAIL_FROM)) $(if $(ALARM_EMAIL),AlarmEmail=$(ALARM_EMAIL)) \
	  $(if $(DOWNLOADS_PUBLIC_KEY),"DownloadsPublicKey=$$(cat $(DOWNLOADS_PUBLIC_KEY))")

## Upload web/ to the stage's site bucket, with a config.js that points at the stage's API.
deploy-web:
	$(PY) -m devstack.webdeploy --stack $(STACK) --region $(REGION)

clean:
	rm -rf $(VENV) .local .pytest_cache test-artifacts
