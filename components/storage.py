"""Landing storage: where the connector writes batches, and where Athena writes query results."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.policy import deny_insecure_transport


@dataclass(frozen=True)
class LandingStorageArgs:
    existing_bucket: str | None  # None: create a landing bucket
    retention_days: int
    partition: str


class LandingStorage(pulumi.ComponentResource):
    landing_bucket: pulumi.Output[str]
    landing_bucket_arn: pulumi.Output[str]
    results_bucket: pulumi.Output[str]
    results_bucket_arn: pulumi.Output[str]

    def __init__(self, name: str, args: LandingStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:storage:LandingStorage", name, None, opts)
        if args.existing_bucket:
            # A bucket we do not own: its encryption and policy stay with its owner (see README).
            self.landing_bucket = pulumi.Output.from_input(args.existing_bucket)
            self.landing_bucket_arn = pulumi.Output.from_input(f"arn:{args.partition}:s3:::{args.existing_bucket}")
        else:
            landing = self._private_bucket(f"{name}-landing")
            self.landing_bucket, self.landing_bucket_arn = landing.bucket, landing.arn

        results = self._private_bucket(f"{name}-results")
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-results-expiry",
            bucket=results.bucket,
            rules=[{
                "id": "expire-query-results",
                "status": "Enabled",
                "filter": {"prefix": ""},
                "expiration": {"days": args.retention_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 1},
            }],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.results_bucket, self.results_bucket_arn = results.bucket, results.arn
        self.register_outputs({
            "landing_bucket": self.landing_bucket,
            "results_bucket": self.results_bucket,
        })

    def _private_bucket(self, name: str) -> aws.s3.Bucket:
        """A bucket with SSE-S3 encryption, all public access blocked, owner-enforced objects and TLS only."""
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(name, force_destroy=False, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket.bucket,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}, "bucket_key_enabled": True}],
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket.bucket,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket.bucket, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket.bucket,
            policy=pulumi.Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [deny_insecure_transport("s3:*", [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")])],
            }),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )
        return bucket
