"""AWS Bedrock batch inference (model invocation jobs) for boto3's `bedrock` client with
`AWS_ENDPOINT_URL_BEDROCK=<url>/bedrock`: input and output live in the core object store."""
