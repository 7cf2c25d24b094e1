"""`make deploy-web STAGE=…`: uploads web/ to the stage's site bucket with a config.js
pointing at the stage's API (both read from the CloudFormation stack's outputs)."""
from __future__ import annotations

import argparse
import mimetypes

import boto3

from .web import WEB, config_js


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stack", required=True)
    parser.add_argument("--region", default="eu-central-1")
    args = parser.parse_args()
    cfn = boto3.client("cloudformation", region_name=args.region)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=args.stack)["Stacks"][0]["Outputs"]}
    bucket, api = outputs["WebBucketName"], outputs["EndpointURL"].rstrip("/")
    s3 = boto3.client("s3", region_name=args.region)
    for path in WEB.rglob("*"):
        if path.is_file():
            key = str(path.relative_to(WEB))
            kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
            s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": kind, "CacheControl": "max-age=300"})
    s3.put_object(Bucket=bucket, Key="config.js", Body=config_js(api), ContentType="application/javascript",
                  CacheControl="no-cache")
    print(f"uploaded web/ to s3://{bucket}; site: {outputs.get('WebUrl')}, API: {api}")


if __name__ == "__main__":
    main()
