#!/usr/bin/python3
# One S3 call through boto3 against the endpoint in COLDSTORE_ENDPOINT,
# for s3api's TestBoto3: the first argument names the call, the rest are
# its parameters. It prints the answer's fields that the test checks, as
# JSON, or "error <Code> <HTTP status>" and exits 1.
import json
import sys

import boto3
import botocore.exceptions
from botocore.config import Config

s3 = boto3.client("s3", endpoint_url=__import__("os").environ["COLDSTORE_ENDPOINT"], region_name="us-east-1",
                  aws_access_key_id="AKID", aws_secret_access_key="SECRET",
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
call, args = sys.argv[1], sys.argv[2:]
try:
    if call == "create_bucket":
        s3.create_bucket(Bucket=args[0])
        out = {}
    elif call == "put_object":
        r = s3.put_object(Bucket=args[0], Key=args[1], Body=args[2].encode(), StorageClass=args[3])
        out = {"ETag": r["ETag"]}
    elif call == "get_object":
        r = s3.get_object(Bucket=args[0], Key=args[1])
        out = {"Body": r["Body"].read().decode(), "Restore": r.get("Restore")}
    elif call == "head_object":
        r = s3.head_object(Bucket=args[0], Key=args[1])
        out = {"StorageClass": r.get("StorageClass"), "Restore": r.get("Restore")}
    elif call == "restore_object":
        req = {"Days": int(args[2])}
        if len(args) > 3:
            req["GlacierJobParameters"] = {"Tier": args[3]}
        r = s3.restore_object(Bucket=args[0], Key=args[1], RestoreRequest=req)
        out = {"Status": r["ResponseMetadata"]["HTTPStatusCode"]}
    elif call == "list_objects_v2":
        r = s3.list_objects_v2(Bucket=args[0])
        out = {"Keys": [(o["Key"], o["StorageClass"]) for o in r.get("Contents", [])]}
    elif call == "upload_file":
        from boto3.s3.transfer import TransferConfig
        s3.upload_file(args[2], args[0], args[1], ExtraArgs={"StorageClass": args[3]},
                       Config=TransferConfig(multipart_threshold=5 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024))
        r = s3.head_object(Bucket=args[0], Key=args[1])
        out = {"ETag": r["ETag"], "StorageClass": r.get("StorageClass"), "ContentLength": r["ContentLength"]}
    elif call == "get_object_attributes":
        r = s3.get_object_attributes(Bucket=args[0], Key=args[1],
                                     ObjectAttributes=["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"])
        out = {"ETag": r.get("ETag"), "StorageClass": r.get("StorageClass"), "ObjectSize": r.get("ObjectSize"),
               "ObjectParts": r.get("ObjectParts"), "Checksum": r.get("Checksum")}
    elif call == "put_lifecycle":
        s3.put_bucket_lifecycle_configuration(Bucket=args[0], LifecycleConfiguration={"Rules": [{
            "ID": "to-deep", "Status": "Enabled", "Filter": {"Prefix": args[1]},
            "Transitions": [{"Days": int(args[2]), "StorageClass": "DEEP_ARCHIVE"}]}]})
        out = {}
    elif call == "get_lifecycle":
        r = s3.get_bucket_lifecycle_configuration(Bucket=args[0])
        out = {"Rules": [(x["ID"], x["Transitions"][0]["StorageClass"]) for x in r["Rules"]]}
    elif call == "put_meta":
        s3.put_object(Bucket=args[0], Key=args[1], Body=b"m", Metadata=dict(a.split("=", 1) for a in args[2:]))
        out = {}
    elif call == "head_meta":
        out = {"Head": sorted(s3.head_object(Bucket=args[0], Key=args[1])["Metadata"].items()),
               "Get": sorted(s3.get_object(Bucket=args[0], Key=args[1])["Metadata"].items())}
    elif call == "delete_objects":
        r = s3.delete_objects(Bucket=args[0], Delete={"Objects": [{"Key": k} for k in args[1:]]})
        out = {"Deleted": sorted(d["Key"] for d in r.get("Deleted", []))}
    else:
        raise SystemExit("unknown call " + call)
except botocore.exceptions.ClientError as e:
    print("error", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
    sys.exit(1)
print(json.dumps(out))
