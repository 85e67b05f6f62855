/**
 * The targets of the bad-input corpus (the EventBridge rules whose target is a Lambda handler) and a valid event
 * of each, which every corpus case starts from.
 */

/** One rule target of the corpus. */
export const CorpusTarget = {
  /** The alert router, through the rule for the alarms it routes (here the configured `clawops-<stage>-corpus-` prefix). */
  Alarms: "alarms",
  /** The alert router, through the rule for this stage's own events (source `clawops`, `detail.stage`). */
  ClawopsEvents: "clawops-events",
  /** The lifecycle flow starter, through the launch lifecycle-action rule of the fleet's group. */
  Launch: "launch",
  /** The lifecycle flow starter, through the terminate lifecycle-action rule of the fleet's group. */
  Terminate: "terminate",
  /** The drills' cleanup of an execution that ended without its own (`DrillExecutionEnded`). */
  DrillEnded: "drill-ended",
} as const;

export type CorpusTarget = (typeof CorpusTarget)[keyof typeof CorpusTarget];

export const CORPUS_TARGETS: readonly CorpusTarget[] = Object.values(CorpusTarget);

/** The sandbox names the valid events refer to. */
export interface CorpusWorld {
  readonly account: string;
  readonly region: string;
  readonly stage: string;
  readonly asgName: string;
  readonly launchHookName: string;
  readonly terminateHookName: string;
  readonly drillStateMachineArn: string;
  /** ISO time of the event. */
  readonly time: string;
  /** Unique per case and target: every Slack-bound text carries it, so the test finds what was posted. */
  readonly marker: string;
}

/** A JSON object, as events are. */
export type Json = Record<string, unknown>;

/** `length` hex digits derived from `text` (FNV-1a, chained): stable ids per case, unique across cases. */
function hexOf(text: string, length: number): string {
  let out = "";
  let hash = 0x811c9dc5;
  for (let round = 0; out.length < length; round += 1) {
    for (const char of `${round}:${text}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
    out += hash.toString(16).padStart(8, "0");
  }
  return out.slice(0, length);
}

/** A valid event of each target, as AWS (or clawops) would send it. */
export function validEvent(target: CorpusTarget, world: CorpusWorld): Json {
  const { account, region, time, marker } = world;
  // Each case's own instance and token: the starter names its flow after them, and a repeated name is a duplicate.
  const instanceId = `i-0${hexOf(marker, 16)}`;
  const uuid = hexOf(`token:${marker}`, 32);
  const token = `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-4${uuid.slice(13, 16)}-a${uuid.slice(17, 20)}-${uuid.slice(20)}`;
  const envelope = { version: "0", id: `corpus-${marker}`, account, time, region };
  const groupArn = `arn:aws:autoscaling:${region}:${account}:autoScalingGroup:corpus:autoScalingGroupName/${world.asgName}`;
  const lifecycle = (detailType: string, hook: string, transition: string, from: string, to: string) => ({
    ...envelope,
    "detail-type": detailType,
    source: "aws.autoscaling",
    resources: [groupArn],
    detail: {
      LifecycleActionToken: token,
      AutoScalingGroupName: world.asgName,
      LifecycleHookName: hook,
      EC2InstanceId: instanceId,
      LifecycleTransition: transition,
      NotificationMetadata: `corpus ${marker}`,
      Origin: from,
      Destination: to,
    },
  });
  switch (target) {
    case CorpusTarget.Alarms: {
      const alarmName = `clawops-${world.stage}-corpus-${marker}`;
      return {
        ...envelope,
        "detail-type": "CloudWatch Alarm State Change",
        source: "aws.cloudwatch",
        resources: [`arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`],
        detail: {
          alarmName,
          state: { value: "ALARM", reason: `corpus ${marker}: threshold crossed`, timestamp: time },
          previousState: { value: "OK", timestamp: time },
          configuration: {
            description: `corpus ${marker}`,
            metrics: [
              {
                id: "m1",
                metricStat: {
                  metric: { namespace: "Clawops", name: "Corpus", dimensions: { Fleet: "corpus" } },
                  period: 60,
                  stat: "Maximum",
                },
                returnData: true,
              },
            ],
          },
        },
      };
    }
    case CorpusTarget.ClawopsEvents:
      return {
        ...envelope,
        "detail-type": "LifecycleAbandoned",
        source: "clawops",
        resources: [],
        detail: {
          asgName: world.asgName,
          instanceId,
          hookName: world.launchHookName,
          reason: `corpus ${marker}: gateway never answered healthy`,
          lastProbe: { status: "unhealthy", output: `HTTP 503 corpus ${marker}`, at: time },
          stage: world.stage,
        },
      };
    case CorpusTarget.Launch:
      return lifecycle(
        "EC2 Instance-launch Lifecycle Action",
        world.launchHookName,
        "autoscaling:EC2_INSTANCE_LAUNCHING",
        "EC2",
        "AutoScalingGroup",
      );
    case CorpusTarget.Terminate:
      return lifecycle(
        "EC2 Instance-terminate Lifecycle Action",
        world.terminateHookName,
        "autoscaling:EC2_INSTANCE_TERMINATING",
        "AutoScalingGroup",
        "EC2",
      );
    case CorpusTarget.DrillEnded: {
      const name = `corpus-${marker}`;
      const executionArn = `${world.drillStateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
      return {
        ...envelope,
        "detail-type": "Step Functions Execution Status Change",
        source: "aws.states",
        resources: [executionArn],
        detail: {
          executionArn,
          stateMachineArn: world.drillStateMachineArn,
          name,
          status: "ABORTED",
          startDate: Date.parse(time),
          stopDate: Date.parse(time) + 60_000,
          input: "{}",
          output: null,
        },
      };
    }
  }
}

/** Sets `path` (dotted) in `event`, making the objects on the way; `undefined` deletes it. */
export function setPath(event: Json, path: string, value: unknown): Json {
  const keys = path.split(".");
  let node: Json = event;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    node = node[key] as Json;
  }
  const last = keys.at(-1) ?? "";
  if (value === undefined) delete node[last];
  else node[last] = value;
  return event;
}

/** Reads `path` (dotted) of `event`. */
export function getPath(event: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Json | undefined)?.[key], event);
}
