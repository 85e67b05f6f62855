import { RUNTIME_MOUNT, WORKSPACE_MOUNT } from "@clawops/core/fleet";
import * as ec2 from "aws-cdk-lib/aws-ec2";

/** What the boot script needs to know; values may be CDK tokens (rendered by CloudFormation). */
export interface GatewayUserDataProps {
  readonly region: string;
  readonly workspaceFileSystemId: string;
  readonly workspaceAccessPointId: string;
  readonly runtimeFileSystemId: string;
  readonly runtimeAccessPointId: string;
  readonly secretArn: string;
  readonly gatewayPort: number;
  readonly gatewayLogGroupName: string;
  readonly sessionLogGroupName: string;
  /** npm version (or dist-tag) of the `openclaw` package. */
  readonly openclawVersion: string;
}

/**
 * The instance's boot script. It installs the OpenClaw gateway as a systemd service bound to loopback (probes
 * reach it through SSM, never through a port), mounts the workspace read-only and the runtime read-write over
 * TLS with IAM authorization (the access points enforce the POSIX user), loads the secret into the gateway's
 * environment at each start (memory only: nothing is written to disk), and ships gateway and session logs to
 * CloudWatch.
 */
export function gatewayUserData(props: GatewayUserDataProps): ec2.UserData {
  const userData = ec2.UserData.forLinux({ shebang: "#!/bin/bash" });
  const cloudwatchAgent = JSON.stringify({
    agent: { run_as_user: "root" },
    logs: {
      logs_collected: {
        files: {
          collect_list: [
            {
              file_path: "/var/log/openclaw/gateway.log",
              log_group_name: props.gatewayLogGroupName,
              log_stream_name: "{instance_id}",
              retention_in_days: -1,
            },
            {
              file_path: `${RUNTIME_MOUNT}/state/agents/*/sessions/*.jsonl`,
              log_group_name: props.sessionLogGroupName,
              log_stream_name: "{instance_id}",
              retention_in_days: -1,
            },
          ],
        },
      },
    },
  });
  const openclawConfig = JSON.stringify({
    gateway: { bind: "loopback", port: props.gatewayPort },
    agents: { defaults: { workspace: WORKSPACE_MOUNT } },
  });
  userData.addCommands(
    "set -euo pipefail",
    "dnf install -y amazon-efs-utils amazon-cloudwatch-agent nodejs22 nodejs22-npm jq",
    "id openclaw >/dev/null 2>&1 || useradd --system --uid 1000 --create-home --home-dir /var/lib/openclaw openclaw",
    `mkdir -p ${WORKSPACE_MOUNT} ${RUNTIME_MOUNT} /var/log/openclaw /etc/openclaw`,
    // Read-only workspace; the file system policy also denies ClientWrite to this role (root cannot remount rw).
    `echo "${props.workspaceFileSystemId}:/ ${WORKSPACE_MOUNT} efs _netdev,noresvport,tls,iam,ro,accesspoint=${props.workspaceAccessPointId} 0 0" >> /etc/fstab`,
    `echo "${props.runtimeFileSystemId}:/ ${RUNTIME_MOUNT} efs _netdev,noresvport,tls,iam,rw,accesspoint=${props.runtimeAccessPointId} 0 0" >> /etc/fstab`,
    "mount -a -t efs",
    `mkdir -p ${RUNTIME_MOUNT}/state`,
    `cat > /etc/openclaw/openclaw.json <<'JSON'\n${openclawConfig}\nJSON`,
    `npm install --global --omit=dev openclaw@${props.openclawVersion}`,
    // The secret is fetched at every start and exported into the gateway's environment only.
    [
      "cat > /usr/local/libexec/openclaw-gateway <<'SH'",
      "#!/bin/bash",
      "set -euo pipefail",
      `secret=$(aws secretsmanager get-secret-value --region ${props.region} --secret-id '${props.secretArn}' --query SecretString --output text)`,
      `eval "$(jq -r 'to_entries[] | "export \\(.key)=\\(.value | @sh)"' <<<"$secret")"`,
      "unset secret",
      `export OPENCLAW_STATE_DIR=${RUNTIME_MOUNT}/state OPENCLAW_CONFIG_PATH=/etc/openclaw/openclaw.json`,
      `exec openclaw gateway --bind loopback --port ${props.gatewayPort}`,
      "SH",
    ].join("\n"),
    "chmod 0755 /usr/local/libexec/openclaw-gateway",
    [
      "cat > /etc/systemd/system/openclaw-gateway.service <<'UNIT'",
      "[Unit]",
      "Description=OpenClaw gateway (loopback only)",
      "After=network-online.target remote-fs.target",
      "Wants=network-online.target",
      `RequiresMountsFor=${WORKSPACE_MOUNT} ${RUNTIME_MOUNT}`,
      "[Service]",
      "User=openclaw",
      "ExecStart=/usr/local/libexec/openclaw-gateway",
      "Restart=always",
      "RestartSec=5",
      "TimeoutStopSec=60",
      "NoNewPrivileges=true",
      "ProtectSystem=strict",
      "PrivateTmp=true",
      `ReadOnlyPaths=${WORKSPACE_MOUNT}`,
      `ReadWritePaths=${RUNTIME_MOUNT} /var/log/openclaw`,
      "StandardOutput=append:/var/log/openclaw/gateway.log",
      "StandardError=append:/var/log/openclaw/gateway.log",
      "[Install]",
      "WantedBy=multi-user.target",
      "UNIT",
    ].join("\n"),
    "chown openclaw:openclaw /var/log/openclaw",
    `cat > /opt/aws/amazon-cloudwatch-agent/etc/clawops.json <<'JSON'\n${cloudwatchAgent}\nJSON`,
    "/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/clawops.json",
    "systemctl daemon-reload",
    "systemctl enable --now openclaw-gateway.service",
  );
  return userData;
}
