import { RemovalPolicy, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as kms from "aws-cdk-lib/aws-kms";
import * as logs from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/** Props of `FleetLogs`. */
export interface FleetLogsProps {
  readonly gatewayLogGroupName: string;
  readonly sessionLogGroupName: string;
  /** Days CloudWatch keeps the events (the checklist wants a set retention, never "never expire"). */
  readonly retentionDays: number;
  /** Encrypts every group; the key policy is extended so CloudWatch Logs may use it for this account's groups. */
  readonly key: kms.Key;
}

/** The fleet's log groups: gateway, sessions and VPC flow logs, all KMS-encrypted with a set retention. */
export class FleetLogs extends Construct {
  readonly gateway: logs.LogGroup;
  readonly sessions: logs.LogGroup;
  readonly flowLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FleetLogsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // CloudWatch Logs encrypts with the caller's key only if the key policy lets the regional service use it,
    // scoped by the encryption context to this account's log groups.
    props.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchLogsEncryptsFleetLogGroups",
        principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources: ["*"],
        conditions: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    const retention = props.retentionDays as logs.RetentionDays;
    const group = (groupId: string, logGroupName?: string) =>
      new logs.LogGroup(this, groupId, {
        ...(logGroupName ? { logGroupName } : {}),
        retention,
        encryptionKey: props.key,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    this.gateway = group("Gateway", props.gatewayLogGroupName);
    this.sessions = group("Sessions", props.sessionLogGroupName);
    this.flowLogs = group("FlowLogs");
  }
}
