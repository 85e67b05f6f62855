import { isPublicIpv6 } from "../cidr.js";
import { available, isUnavailable, metricDataWindowMinutes } from "../evidence.js";
import { tuning } from "../settings.js";
import type { ReadinessCheck } from "../types.js";
import { gatewayAlarms } from "./gateway-alarm.js";
import { lastObservedReplacement } from "./replacement.js";
import { ageDays, fail, pass, unknown } from "./result.js";

/** Section 1 of the checklist: compute, health, hooks, addresses, subnets, encryption, replacement. */
export const infrastructureChecks: readonly ReadinessCheck[] = [
  {
    id: "infrastructure.gateway-health",
    area: "infrastructure",
    title: "ASG health is judged by the gateway",
    checklistItem:
      "Confirm that the ASG health check is configured against the gateway health endpoint (not the EC2 instance health).",
    severity: "critical",
    evidence: ["autoScalingGroup", "alarms"],
    method:
      "The group exists, and an alarm on the health monitor's Clawops gateway metric for this fleet exists, has actions enabled and its metric has a datapoint in the last 15 minutes, or three alarm periods when longer (GetMetricData: with TreatMissingData notBreaching the alarm stays OK when the monitor stops; the monitor publishes and marks failing instances Unhealthy).",
    evaluate: (evidence, settings) => {
      const group = available(evidence.autoScalingGroup);
      if (!group) return fail(`Auto Scaling group ${settings.fleet.autoScalingGroupName} not found.`);
      const alarms = gatewayAlarms(available(evidence.alarms), settings);
      if (alarms.length === 0)
        return fail(
          `No alarm watches the gateway health metric of fleet ${settings.fleet.name}: the group only sees ${group.healthCheckType} health.`,
        );
      const enabled = alarms.filter((a) => a.actionsEnabled);
      const fresh = enabled.find((a) => typeof a.latestDatapointAt === "string");
      if (fresh)
        return pass(
          `The health monitor publishes gateway health (last datapoint ${fresh.latestDatapointAt}) and ${fresh.name} watches it (${fresh.state}); failing gateways are marked Unhealthy and replaced.`,
        );
      const unread = enabled.filter(
        (a) => a.latestDatapointAt === undefined || isUnavailable(a.latestDatapointAt),
      );
      if (unread.length > 0)
        return unknown(
          "Whether the health monitor still publishes could not be read (the alarm's state does not prove data).",
          unread.map(
            (a) =>
              `${a.name}: ${isUnavailable(a.latestDatapointAt) ? a.latestDatapointAt.unavailable : "metric data not looked up"}`,
          ),
        );
      return fail(
        "The gateway alarm has no recent data or its actions are disabled: the health monitor is not running or not acting.",
        alarms.map(
          (a) =>
            `${a.name}: state ${a.state}, actions ${a.actionsEnabled ? "enabled" : "disabled"}, ${a.latestDatapointAt === null ? `no datapoint in the last ${metricDataWindowMinutes(a.periodSeconds)} minutes (TreatMissingData ${a.treatMissingData ?? "missing"})` : "has data"}`,
        ),
      );
    },
    remediation:
      "Deploy the Lifecycle stack (health monitor and its alarm); check the monitor's schedule and that SSM reaches the instances.",
  },
  {
    id: "infrastructure.lifecycle-hooks",
    area: "infrastructure",
    title: "Lifecycle hooks on launch and terminate",
    checklistItem: "Confirm that lifecycle hooks are in place for both launch and termination.",
    severity: "high",
    evidence: ["lifecycleHooks"],
    method:
      "DescribeLifecycleHooks: clawops' own hooks, by name (fleet.launchHookName and terminateHookName: the flows act on no other hook), both present, heartbeat 30-7200 s and no shorter than the HeartbeatTimeout the launch gate and the drain heartbeat by, launch default result ABANDON (an instance whose gateway never answers must not serve).",
    evaluate: (evidence, settings) => {
      const hooks = available(evidence.lifecycleHooks);
      const { launchHookName, terminateHookName } = settings.fleet;
      // Another team's hooks may sit on the same group: only clawops' own are the gate and the drain.
      const launch = hooks.find(
        (h) => h.name === launchHookName && h.transition === "autoscaling:EC2_INSTANCE_LAUNCHING",
      );
      const terminate = hooks.find(
        (h) => h.name === terminateHookName && h.transition === "autoscaling:EC2_INSTANCE_TERMINATING",
      );
      const problems: string[] = [];
      if (!launch) problems.push(`no launch hook named ${launchHookName}: no launch is gated`);
      if (!terminate)
        problems.push(`no terminate hook named ${terminateHookName}: no termination is drained`);
      const assumed = [
        [launch, settings.lifecycle.launchHeartbeatSeconds, "the launch gate"],
        [terminate, settings.lifecycle.terminateHeartbeatSeconds, "the drain"],
      ] as const;
      for (const [hook, assumedSeconds, flow] of assumed) {
        if (!hook) continue;
        if (hook.heartbeatTimeout === undefined || hook.heartbeatTimeout < 30 || hook.heartbeatTimeout > 7200)
          problems.push(`${hook.name}: heartbeat ${hook.heartbeatTimeout ?? "unset"} s is outside 30-7200`);
        else if (assumedSeconds !== undefined && hook.heartbeatTimeout < assumedSeconds)
          problems.push(
            `${hook.name}: heartbeat ${hook.heartbeatTimeout} s is shorter than the ${assumedSeconds} s ${flow} heartbeats by (lifecycle.hookHeartbeatSeconds, else fleet.lifecycleHooks): the hook can expire between two heartbeats`,
          );
      }
      if (launch && launch.defaultResult !== "ABANDON")
        problems.push(
          `${launch.name}: default result ${launch.defaultResult ?? "unset"} would put an unverified instance in service`,
        );
      if (problems.length > 0) return fail("The lifecycle hooks are missing or unsafe.", problems);
      return pass(
        `Launch hook ${launch!.name} (${launch!.heartbeatTimeout} s, ABANDON) and terminate hook ${terminate!.name} (${terminate!.heartbeatTimeout} s, ${terminate!.defaultResult}) are in place.`,
      );
    },
    remediation:
      "Add both hooks to the group under the names clawops is configured with, with explicit default results (ABANDON on launch, CONTINUE on terminate) and a HeartbeatTimeout no shorter than lifecycle.hookHeartbeatSeconds; the Fleet stack does this in reference mode.",
  },
  {
    id: "infrastructure.no-public-ip",
    area: "infrastructure",
    title: "No public IPv4 or IPv6 address",
    checklistItem: "Confirm that no instance in the ASG has a public IP address.",
    severity: "critical",
    evidence: ["instances", "launchTemplate"],
    method:
      "DescribeInstances for every instance of the group: no public IPv4 and no global IPv6 address (AWS Config checks IPv4 only); the launch template does not associate a public IP.",
    evaluate: (evidence) => {
      const problems: string[] = [];
      const template = available(evidence.launchTemplate);
      if (template?.associatePublicIp) problems.push(`launch template ${template.id} associates a public IP`);
      for (const instance of available(evidence.instances)) {
        if (instance.publicIpv4) problems.push(`${instance.instanceId}: public IPv4 ${instance.publicIpv4}`);
        for (const address of instance.ipv6Addresses.filter(isPublicIpv6))
          problems.push(`${instance.instanceId}: public IPv6 ${address}`);
      }
      if (problems.length > 0) return fail("Instances are reachable at public addresses.", problems);
      return pass(
        `None of the ${available(evidence.instances).length} instance(s) has a public IPv4 or IPv6 address.`,
      );
    },
    remediation:
      "Launch into private subnets with MapPublicIpOnLaunch and AssignIpv6AddressOnCreation off, and AssociatePublicIpAddress false in the launch template.",
  },
  {
    id: "infrastructure.private-subnets",
    area: "infrastructure",
    title: "Instances live in private subnets",
    checklistItem:
      "The instance lives in a private subnet with no public IP address and no inbound firewall rules.",
    severity: "high",
    evidence: ["autoScalingGroup", "network"],
    method:
      "DescribeSubnets + DescribeRouteTables: each of the group's subnets has no active route to an internet gateway (IPv4 or IPv6; a blackhole route to a deleted one carries nothing) and does not assign public addresses on launch.",
    evaluate: (evidence, settings) => {
      const group = available(evidence.autoScalingGroup);
      if (!group) return fail(`Auto Scaling group ${settings.fleet.autoScalingGroupName} not found.`);
      const subnets = available(evidence.network).subnets;
      const problems: string[] = [];
      const missing: string[] = [];
      for (const id of group.subnetIds) {
        const subnet = subnets.find((s) => s.subnetId === id);
        if (!subnet) {
          missing.push(id);
          continue;
        }
        // A blackhole route's gateway was deleted: it sends nothing to the internet.
        const igw = subnet.routeTargets.filter((r) => r.target.startsWith("igw-") && r.state !== "blackhole");
        if (igw.length > 0)
          problems.push(`${id}: routes ${igw.map((r) => r.destination).join(", ")} to ${igw[0]!.target}`);
        if (subnet.mapPublicIpOnLaunch) problems.push(`${id}: assigns public IPv4 addresses on launch`);
        if (subnet.assignIpv6OnCreation) problems.push(`${id}: assigns IPv6 addresses on creation`);
      }
      if (problems.length > 0) return fail("The group launches into public subnets.", problems);
      if (missing.length > 0) return unknown("Some subnets of the group were not described.", missing);
      return pass(`All ${group.subnetIds.length} subnet(s) of the group are private.`);
    },
    remediation:
      "Move the group to subnets whose route table has no internet gateway route (use NAT for allowlisted egress).",
  },
  {
    id: "infrastructure.encryption-at-rest",
    area: "infrastructure",
    title: "All storage encrypted at rest",
    checklistItem: "All storage is encrypted at rest.",
    severity: "high",
    // Not logGroups: CloudWatch Logs always encrypts, so a failed DescribeLogGroups only loses the note below.
    evidence: ["instances", "launchTemplate", "fileSystems", "backup"],
    method:
      "EBS volumes of every instance and of the launch template (a device with Encrypted unset passes when the account's EBS encryption by default is on: GetEbsEncryptionByDefault), both EFS file systems and the backup vault are encrypted; CloudWatch Logs and Secrets Manager always encrypt (a log group without the fleet's KMS key is noted, not failed).",
    evaluate: (evidence) => {
      const problems: string[] = [];
      const notes: string[] = [];
      const template = available(evidence.launchTemplate);
      if (template?.ebsEncrypted.some((e) => e === false))
        problems.push(`launch template ${template.id}: a block device is not encrypted`);
      const unset = template?.ebsEncrypted.filter((e) => e === undefined).length ?? 0;
      if (template && unset > 0) {
        const byDefault = template.ebsEncryptionByDefault;
        const devices = `launch template ${template.id}: ${unset} block device(s) leave Encrypted unset`;
        if (byDefault === true)
          notes.push(`${devices}; EBS encryption by default is on, so their volumes are encrypted`);
        else
          problems.push(
            `${devices} and ${
              isUnavailable(byDefault)
                ? `whether EBS encryption by default is on could not be read (${byDefault.unavailable})`
                : byDefault === false
                  ? "EBS encryption by default is off"
                  : "EBS encryption by default was not read"
            }`,
          );
      }
      for (const instance of available(evidence.instances))
        for (const volume of instance.volumes)
          if (volume.encrypted !== true)
            problems.push(`${instance.instanceId}: volume ${volume.volumeId} not encrypted`);
      for (const fs of available(evidence.fileSystems))
        if (!fs.encrypted) problems.push(`EFS ${fs.fileSystemId} not encrypted`);
      // CloudWatch Logs always encrypts log data at rest; a KMS key only makes the key the fleet's own.
      if (!isUnavailable(evidence.logGroups))
        for (const g of evidence.logGroups.filter((g) => !g.kmsKeyId))
          notes.push(
            `log group ${g.name}: encrypted with CloudWatch Logs' own key (no KMS key of the fleet's)`,
          );
      const vault = available(evidence.backup).vault;
      if (vault && !vault.encryptionKeyArn) problems.push(`backup vault ${vault.name} has no encryption key`);
      if (problems.length > 0) return fail("Some storage is not encrypted at rest.", problems);
      return pass("EBS volumes, EFS file systems, log groups and the backup vault are encrypted.", notes);
    },
    remediation:
      "Encrypt EBS in the launch template (and enable EBS encryption by default), create EFS encrypted, associate the KMS key with the log groups.",
  },
  {
    id: "infrastructure.replacement",
    area: "infrastructure",
    title: "A failed instance is replaced in time",
    checklistItem:
      "Confirm that a simulated instance failure triggers replacement within the expected time window.",
    severity: "high",
    evidence: ["failureDrill", "autoScalingGroup"],
    method:
      "The last observed replacement (failure drill record, or a health-check termination followed by a successful launch in DescribeScalingActivities): time from unhealthy to a new InService instance against the window, not older than the drill max age. A failure drill newer than any observed replacement that saw none fails.",
    evaluate: (evidence, settings, now) => {
      const drill = available(evidence.failureDrill);
      const group = available(evidence.autoScalingGroup);
      const seen = lastObservedReplacement(drill, group?.activities ?? []);
      const { failureDrillMaxAgeDays, replacementWindowSeconds } = tuning(settings);
      if (!seen)
        return fail(
          "No replacement has ever been observed: run a failure drill (`clawops drill --failure`).",
        );
      const window = drill?.windows.replacementSeconds ?? replacementWindowSeconds;
      const age = ageDays(seen.at, now);
      if (seen.seconds === null)
        return fail(
          `The last failure drill (${seen.at}) saw no replacement: no new InService instance within its window of ${window} s.`,
        );
      if (seen.seconds > window)
        return fail(
          `The last replacement (${seen.source}, ${seen.at}) took ${seen.seconds} s; the window is ${window} s.`,
        );
      if (age > failureDrillMaxAgeDays)
        return fail(
          `The last replacement was observed ${age} days ago (more than ${failureDrillMaxAgeDays}).`,
        );
      return pass(
        `The last replacement (${seen.source}, ${seen.at}) took ${seen.seconds} s, within ${window} s.`,
      );
    },
    remediation:
      "Run `clawops drill --failure`; if replacement is slow, check the launch gate's probe settings and the AMI's boot time.",
  },
];
