"""Turns a packaged SAM template into plain CloudFormation, as CloudFormation's
AWS::Serverless transform does at deploy time. Runs in the rehearsal's own virtualenv
(.venv-sam, infra/requirements-rehearse.txt): aws-sam-translator pins a pydantic release
the functions do not use, so it is kept apart from the application's virtualenv.

    .venv-sam/bin/python infra/sam_transform.py build/rehearsal/sam.json build/rehearsal/cfn.json CODE_URI

The functions' `CodeUri` (a local zip in Chalice's output) becomes CODE_URI, an S3 object
the rehearsal uploads, as `aws cloudformation package` does. A template the transform
refuses exits 1 with each refusal on a line: the resource and what is wrong with it.
"""
from __future__ import annotations

import json
import os
import sys


def main(src: str, dst: str, code_uri: str) -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    for resource in doc.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri

    class NoManagedPolicies:      # every role's policy is inline (infra/policies.py); none is looked up
        def load(self):
            return {}
    try:
        out = transform(doc, {}, NoManagedPolicies())
    except InvalidDocumentException as exc:
        for cause in exc.causes:
            print(f"SAM transform: {cause.message}", file=sys.stderr)
        return 1
    with open(dst, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
