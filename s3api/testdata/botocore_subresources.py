"""Print, for every S3 operation in botocore's model whose requestUri names
query keys, a line: its level (bucket or object), its HTTP method and its
keys joined by commas, sorted: the sub-resources that select it."""
import botocore.loaders

model = botocore.loaders.create_loader().load_service_model("s3", "service-2")
lines = set()
for op in model["operations"].values():
    path, _, query = op["http"]["requestUri"].partition("?")
    if not query:
        continue
    level = "object" if "{Key" in path else "bucket"
    keys = sorted(part.split("=", 1)[0] for part in query.split("&"))
    lines.add("%s %s %s" % (level, op["http"]["method"], ",".join(keys)))
print("\n".join(sorted(lines)))
