"""The S3 subset Bedrock batch needs (boto3 `s3` with `AWS_ENDPOINT_URL_S3=<url>/s3`), a thin
dialect over the core object store (`emulator.core.objects`)."""
