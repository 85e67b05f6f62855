import { resolve } from "node:path";
import { manifestOf, readSoulDocuments, SoulDocumentsError } from "@clawops/core/fleet";
import { CustomResource } from "aws-cdk-lib";
import type * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as efs from "aws-cdk-lib/aws-efs";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as ssm from "aws-cdk-lib/aws-ssm";
import * as cr from "aws-cdk-lib/custom-resources";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";
import { Function as SstFunction } from "sst/constructs";
import { sstLogRetention } from "../config.js";

/** Mount path of the workspace access point in the soul writer (functions/fleet/soul-writer.ts). */
const WRITER_MOUNT_PATH = "/mnt/workspace";

/**
 * CloudFormation sends the custom resource's properties to its provider in one asynchronous Lambda event
 * (256 KB at most); documents travel base64-encoded inside it, so keep a margin for the envelope.
 */
const MAX_DOCUMENTS_BYTES = 180_000;

/** Props of `SoulDocuments`. */
export interface SoulDocumentsProps {
  /** The directory of the operator's git checkout holding the documents (relative to the project root). */
  readonly dir: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly workspaceAccessPoint: efs.IAccessPoint;
  readonly manifestParameterName: string;
  readonly logRetentionDays: number;
}

/**
 * Deploys the soul documents: at synth time it reads them from the git checkout and computes their SHA-256
 * manifest; at deploy time a custom resource (the soul writer, the only principal allowed to write the
 * workspace) makes the workspace hold exactly those bytes, and then the manifest is stored in SSM for the
 * readiness checks and restore drills. Changing a document changes the resource's properties, so a deploy
 * rewrites the document and updates the manifest.
 */
export class SoulDocuments extends Construct {
  readonly writer: SstFunction;
  readonly manifestParameter: ssm.StringParameter;
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: SoulDocumentsProps) {
    super(scope, id);
    const dir = resolve(props.dir);
    const documents = readSoulDocuments(dir);
    const encoded = Object.fromEntries(
      Object.entries(documents).map(([path, bytes]) => [path, bytes.toString("base64")]),
    );
    const size = Object.values(encoded).reduce((sum, text) => sum + text.length, 0);
    if (size > MAX_DOCUMENTS_BYTES) {
      throw new SoulDocumentsError(
        `soul documents in ${dir} take ${size} bytes base64-encoded; the deploy-time writer accepts ${MAX_DOCUMENTS_BYTES}`,
        dir,
      );
    }
    const manifest = JSON.stringify(manifestOf(documents));

    this.writer = new SstFunction(this, "Writer", {
      handler: "functions/fleet/soul-writer.handler",
      description: "Writes the soul documents to the read-only workspace (deploy time only)",
      timeout: 60,
      logRetention: sstLogRetention(props.logRetentionDays),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      filesystem: lambda.FileSystem.fromEfsAccessPoint(props.workspaceAccessPoint, WRITER_MOUNT_PATH),
    });
    const provider = new cr.Provider(this, "Provider", {
      onEventHandler: this.writer,
      logGroup: new logs.LogGroup(this, "ProviderLogs", {
        retention: props.logRetentionDays as logs.RetentionDays,
      }),
    });
    this.resource = new CustomResource(this, "Resource", {
      serviceToken: provider.serviceToken,
      resourceType: "Custom::SoulDocuments",
      properties: { Documents: encoded },
    });
    this.manifestParameter = new ssm.StringParameter(this, "Manifest", {
      parameterName: props.manifestParameterName,
      description: "SHA-256 manifest of the soul documents deployed to the workspace",
      stringValue: manifest,
      tier: manifest.length > 4096 ? ssm.ParameterTier.ADVANCED : ssm.ParameterTier.STANDARD,
    });
    // The manifest is published only once the workspace holds the documents it describes.
    this.manifestParameter.node.addDependency(this.resource);

    NagSuppressions.addResourceSuppressions(
      this.writer,
      [
        {
          id: "AwsSolutions-IAM4",
          reason:
            "SST attaches AWSLambdaBasicExecutionRole and, for a function in a VPC, AWSLambdaVPCAccessExecutionRole (logs and its network interfaces).",
        },
        {
          id: "AwsSolutions-IAM5",
          reason:
            "X-Ray tracing (PutTraceSegments, PutTelemetryRecords) supports no resource-level permissions.",
          appliesTo: ["Resource::*"],
        },
      ],
      true,
    );
    NagSuppressions.addResourceSuppressions(
      provider,
      [
        {
          id: "AwsSolutions-IAM4",
          reason: "The CDK custom-resource provider framework uses AWSLambdaBasicExecutionRole (logs only).",
        },
        {
          id: "AwsSolutions-IAM5",
          reason:
            "The provider framework invokes the soul writer's versions (<function ARN>:*), granted by CDK.",
        },
        {
          id: "AwsSolutions-L1",
          reason:
            "The CDK provider framework pins its own Node.js runtime; the soul writer itself runs nodejs24.x.",
        },
      ],
      true,
    );
  }
}
