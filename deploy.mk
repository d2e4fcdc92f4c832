# deploy.mk: package, check and deploy Loket on AWS (serverless.yml, with osls).
#
# The Makefile includes this file; on its own:  make -f deploy.mk package
#
#   package    build/loket-lambda.zip (tools/build_lambda_package.py) and the
#              CloudFormation templates in .serverless/; offline, no AWS account
#   lint-cfn   package, then cfn-lint on the generated template
#   deploy     build the zip and deploy the stack (needs AWS credentials)
#
# Variables (override on the command line: make deploy STAGE=prod REGION=eu-central-1):
STAGE ?= dev
# Empty: the region in serverless.yml (${opt:region, 'eu-west-1'}).
REGION ?=
VENV ?= .venv
# CPython matching provider.runtime in serverless.yml; empty: found by the build
# script ($PATH, then pyenv's versions folder).
LAMBDA_PYTHON ?=
# Non-empty: ship boto3/botocore in the zip instead of using the Lambda runtime's.
LAMBDA_BUNDLE_BOTO3 ?=

DEPLOY_PYTHON := $(firstword $(wildcard $(VENV)/bin/python) python3)
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

.PHONY: package lambda-zip lint-cfn deploy

$(DEPLOY_NODE_STAMP): package.json package-lock.json
	$(DEPLOY_NODE_ENV) npm ci --no-audit --no-fund --ignore-scripts
	@touch $@

lambda-zip:
	$(DEPLOY_PYTHON) tools/build_lambda_package.py \
		$(if $(LAMBDA_PYTHON),--python $(LAMBDA_PYTHON)) \
		$(if $(LAMBDA_BUNDLE_BOTO3),--bundle-boto3)

package: lambda-zip $(DEPLOY_NODE_STAMP)
	rm -rf .serverless
	$(DEPLOY_OFFLINE_ENV) $(DEPLOY_NODE_ENV) $(DEPLOY_OSLS) package $(DEPLOY_OSLS_ARGS)

lint-cfn: package
	$(VENV)/bin/cfn-lint $(DEPLOY_TEMPLATE)

deploy: lambda-zip $(DEPLOY_NODE_STAMP)
	$(DEPLOY_NODE_ENV) $(DEPLOY_OSLS) deploy $(DEPLOY_OSLS_ARGS)
