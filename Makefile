# Açık Kapı - two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# the deploy rehearsal's SAM transform: aws-sam-translator pins another pydantic than the functions
SAM_VENV := .venv-sam
SAM_STAMP := $(SAM_VENV)/.installed

STAGE ?= dev
STACK ?= acikkapi-$(STAGE)
REGION ?= eu-central-1

.PHONY: run test venv unit integration e2e clean chromium package deploy deploy-web rehearse

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

$(SAM_STAMP): infra/requirements-rehearse.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r infra/requirements-rehearse.txt
	touch $(SAM_STAMP)

## Start the whole local stack (moto server, chalice local, event pump) and print the URLs.
run: $(STAMP)
	$(PY) -m devstack run

## Run the whole test suite: the type checker over chalicelib/ (mypy.ini), the deploy rehearsal,
## then unit, contract, integration (moto), infrastructure and end-to-end (real local stack, Chromium).
test: $(STAMP) $(SAM_STAMP) chromium
	$(PY) -m mypy
	$(PY) infra/rehearse.py
	$(PY) -m pytest -n auto

## Rehearse the production deploy offline (docs/deploy.md): package, transform, create the stack on a
## CloudFormation stand-in, check it against the template, run the packaged code, check each role.
rehearse: $(STAMP) $(SAM_STAMP)
	$(PY) infra/rehearse.py

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
	rm -rf $(VENV) $(SAM_VENV) build .local .pytest_cache test-artifacts
