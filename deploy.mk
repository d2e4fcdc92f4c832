# deploy.mk: package, check and deploy Loket on AWS (serverless.yml, with osls).
#
# The Makefile includes this file; on its own:  make -f deploy.mk package
#
#   package    build/loket-lambda.zip (tools/build_lambda_package.py) and the
#              CloudFormation templates in .serverless/; offline, no AWS account
#   lint-cfn   package, then cfn-lint on the generated template (and deploy/waf.yml)
#   waf        deploy deploy/waf.yml (the CloudFront web ACL: a rate limit per client
#              address) in us-east-1, CloudFront's region; needs AWS credentials
#   deploy     waf (unless WAF=0), then build the zip and deploy the stack
#
# Each step is a file with real prerequisites (the site, the zip, the template, the
# venv, node_modules), so a second `make lint-cfn` with nothing changed rebuilds
# nothing; on a fresh clone it installs what it needs (the venv with cfn-lint, npm ci).
#
# Variables (override on the command line: make deploy STAGE=prod REGION=eu-central-1):
STAGE ?= dev
# Empty: the region in serverless.yml (${opt:region, 'eu-west-1'}).
REGION ?=
VENV ?= .venv
# CPython matching provider.runtime in serverless.yml; empty: found by the build
# script ($PATH, then pyenv's versions folder).
LAMBDA_PYTHON ?=
# The zip ships the locked boto3/botocore (botocore's data trimmed to the functions'
# services). Non-empty: leave them out and use the Lambda runtime's older SDK instead
# (a zip 2.1 MB smaller, 18.8 -> 16.7 MB; a first DynamoDB client some 55-80 ms of CPU
# slower: the runtime's botocore reads its whole data).
LAMBDA_RUNTIME_SDK ?=
# 0: deploy without the WAF web ACL (CloudFront then has no rate limit of its own).
WAF ?= 1

# The venv is a prerequisite of every step that runs Python (made on a fresh clone).
DEPLOY_PYTHON := $(VENV)/bin/python
DEPLOY_TEMPLATE := .serverless/cloudformation-template-update-stack.json
# npm writes this file on every install; newer lock or package.json: reinstall.
# No install scripts: osls needs none (esbuild, under tsx, is for TypeScript configs).
DEPLOY_NODE_STAMP := node_modules/.package-lock.json
DEPLOY_OSLS := npx --no-install osls
DEPLOY_OSLS_ARGS = --stage $(STAGE) $(if $(REGION),--region $(REGION))
DEPLOY_NODE_ENV := npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# `osls package` needs no AWS access for this serverless.yml (it uses no ${ssm:},
# ${cf:} or ${aws:accountId}, which osls resolves by calling AWS). Run it with
# no credentials, profile or config at all, so a working package never depends
# on whatever account the shell happens to have.
DEPLOY_OFFLINE_ENV := env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	-u AWS_SESSION_TOKEN -u AWS_PROFILE -u AWS_DEFAULT_PROFILE \
	AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null

.PHONY: package lambda-zip lint-cfn deploy waf

# The venv (with cfn-lint, mkdocs, the build's pip): the Makefile's install when it
# includes this file, else that install run for us.
DEPLOY_VENV_STAMP := $(VENV)/.installed-dev
ifndef STAMP
$(DEPLOY_VENV_STAMP):
	$(MAKE) --no-print-directory install
endif

$(DEPLOY_NODE_STAMP): package.json package-lock.json
	$(DEPLOY_NODE_ENV) npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

# What the site and the zip are made from (generated folders left out).
DEPLOY_FIND = $(shell find $(1) -type f -not -path '*/__pycache__/*' -not -path 'search/index/*' 2>/dev/null)
DEPLOY_SITE_STAMP := build/.site-built
DEPLOY_SITE_SOURCES := mkdocs.yml $(call DEPLOY_FIND,docs site_config search functions/loket/search)
DEPLOY_ZIP := build/loket-lambda.zip
DEPLOY_ZIP_SOURCES := serverless.yml pyproject.toml $(wildcard requirements/runtime.txt) \
	$(call DEPLOY_FIND,functions site_config tools/build_lambda_package.py tools/lambda_trim.py \
	tools/botocore_bundle.py)
# CloudFront's security headers: web/headers.py's values for the built site, with the
# attachments bucket's name as serverless.yml gives it (custom.attachmentsBucketName).
DEPLOY_HEADERS = build/cloudfront-security-headers-$(STAGE).json
DEPLOY_ATTACHMENTS_BUCKET = loket-$(STAGE)-$${AWS::AccountId}-$${AWS::Region}-attachments

# The Lambda zip ships the site's page shells and the search index: built first.
$(DEPLOY_SITE_STAMP): $(DEPLOY_SITE_SOURCES) | $(DEPLOY_VENV_STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir site
	@mkdir -p $(@D) && touch $@

# Which SDK the zip ships is part of what it is made from: a stamp per choice, so
# `make package LAMBDA_RUNTIME_SDK=1` after a `make package` (or the reverse) rebuilds
# the zip instead of keeping the other kind as up to date.
DEPLOY_ZIP_SDK := build/.lambda-zip-$(if $(LAMBDA_RUNTIME_SDK),runtime,bundled)-sdk
$(DEPLOY_ZIP_SDK):
	@mkdir -p $(@D) && rm -f build/.lambda-zip-*-sdk && touch $@

$(DEPLOY_ZIP): $(DEPLOY_ZIP_SOURCES) $(DEPLOY_SITE_STAMP) $(DEPLOY_ZIP_SDK) | $(DEPLOY_VENV_STAMP)
	$(DEPLOY_PYTHON) tools/build_lambda_package.py \
		$(if $(LAMBDA_PYTHON),--python $(LAMBDA_PYTHON)) \
		$(if $(LAMBDA_RUNTIME_SDK),--runtime-sdk)

lambda-zip: $(DEPLOY_ZIP)

$(DEPLOY_HEADERS): $(DEPLOY_SITE_STAMP) tools/cloudfront_headers.py tools/security_headers.py \
		functions/loket/web/headers.py | $(DEPLOY_VENV_STAMP)
	$(DEPLOY_PYTHON) tools/cloudfront_headers.py --site-dir site \
		--bucket '$(DEPLOY_ATTACHMENTS_BUCKET)' > $@.tmp && mv $@.tmp $@

$(DEPLOY_TEMPLATE): $(DEPLOY_ZIP) $(DEPLOY_HEADERS) serverless.yml site_config/portal.yml \
		$(DEPLOY_NODE_STAMP)
	rm -rf .serverless
	$(DEPLOY_OFFLINE_ENV) $(DEPLOY_NODE_ENV) $(DEPLOY_OSLS) package $(DEPLOY_OSLS_ARGS)

package: $(DEPLOY_TEMPLATE)

DEPLOY_LINT_STAMP := .serverless/.cfn-lint-passed
$(DEPLOY_LINT_STAMP): $(DEPLOY_TEMPLATE) deploy/waf.yml | $(DEPLOY_VENV_STAMP)
	$(VENV)/bin/cfn-lint $(DEPLOY_TEMPLATE) deploy/waf.yml
	@touch $@

lint-cfn: $(DEPLOY_LINT_STAMP)

# The web ACL must live in us-east-1 (CloudFront is global); its ARN goes to the stack.
DEPLOY_WAF_STACK = loket-$(STAGE)-waf
waf:
	aws cloudformation deploy --region us-east-1 --stack-name $(DEPLOY_WAF_STACK) \
		--template-file deploy/waf.yml --no-fail-on-empty-changeset
	aws cloudformation describe-stacks --region us-east-1 --stack-name $(DEPLOY_WAF_STACK) \
		--query "Stacks[0].Outputs[?OutputKey=='WebAclArn'].OutputValue" --output text \
		> build/web-acl-arn

deploy: $(DEPLOY_ZIP) $(DEPLOY_HEADERS) $(DEPLOY_NODE_STAMP) $(if $(filter 1,$(WAF)),waf)
	$(DEPLOY_NODE_ENV) $(DEPLOY_OSLS) deploy $(DEPLOY_OSLS_ARGS) \
		$(if $(filter 1,$(WAF)),--param="webAclArn=$$(cat build/web-acl-arn)")
